const baseMarker = 'bulwark.error';
const baseSymbol = Symbol.for(baseMarker);

export interface BulwarkErrorOptions {
  message: string;
  /** A stable, machine-readable identifier such as `invalid_argument`. */
  code: string;
  /** The error that led to this one, kept for debugging and `instanceof` checks upstream. */
  cause?: unknown;
  /** Whether repeating the same operation may succeed. @default false */
  isRetryable?: boolean;
}

/**
 * The base of every error Bulwark throws. Check with `BulwarkError.isInstance(error)` (or a
 * subclass's `isInstance`) rather than `instanceof`: the check works across two installed
 * copies of a package because it looks for a `Symbol.for` marker, not a class identity.
 */
export class BulwarkError extends Error {
  readonly [baseSymbol] = true;
  readonly code: string;
  readonly isRetryable: boolean;

  constructor({ message, code, cause, isRetryable = false }: BulwarkErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'BulwarkError';
    this.code = code;
    this.isRetryable = isRetryable;
  }

  static isInstance(error: unknown): error is BulwarkError {
    return BulwarkError.hasMarker(error, baseMarker);
  }

  /** True when `error` carries the `Symbol.for(marker)` brand of a Bulwark error class. */
  static hasMarker(error: unknown, marker: string): boolean {
    const markerSymbol = Symbol.for(marker);
    return (
      typeof error === 'object' &&
      error !== null &&
      markerSymbol in error &&
      (error as Record<symbol, unknown>)[markerSymbol] === true
    );
  }
}

const invalidArgumentMarker = 'bulwark.error.invalid_argument';
const invalidArgumentSymbol = Symbol.for(invalidArgumentMarker);

/** Bad input refused at a boundary, before any network call or file write. */
export class InvalidArgumentError extends BulwarkError {
  readonly [invalidArgumentSymbol] = true;
  /** The name of the argument or option that was refused, such as `limits.requestsPerMinute`. */
  readonly argument: string;
  /** The value that was refused. */
  readonly value: unknown;

  constructor({
    argument,
    value,
    message,
    cause,
  }: { argument: string; value: unknown; message: string; cause?: unknown }) {
    super({ message, code: 'invalid_argument', cause });
    this.name = 'InvalidArgumentError';
    this.argument = argument;
    this.value = value;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return BulwarkError.hasMarker(error, invalidArgumentMarker);
  }
}

const abortedMarker = 'bulwark.error.aborted';
const abortedSymbol = Symbol.for(abortedMarker);

/**
 * The caller aborted the operation through its `AbortSignal`. An aborted operation is never
 * retried. `partial` holds whatever the operation had produced so far (for a stream, the
 * message received before the abort), so nothing already paid for is lost.
 */
export class AbortedError<TPartial = unknown> extends BulwarkError {
  readonly [abortedSymbol] = true;
  readonly partial: TPartial | undefined;

  constructor({
    message = 'The operation was aborted',
    cause,
    partial,
  }: { message?: string; cause?: unknown; partial?: TPartial } = {}) {
    super({ message, code: 'aborted', cause });
    this.name = 'AbortedError';
    this.partial = partial;
  }

  static override isInstance(error: unknown): error is AbortedError {
    return BulwarkError.hasMarker(error, abortedMarker);
  }
}

/** Throws `AbortedError` (with the signal's reason as `cause`) when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AbortedError({ cause: signal.reason });
  }
}

/** True for an abort from any source: Bulwark's `AbortedError`, a DOM `AbortError`, the SDK's `APIUserAbortError`. */
export function isAbortError(error: unknown): boolean {
  if (AbortedError.isInstance(error)) return true;
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'APIUserAbortError';
}
