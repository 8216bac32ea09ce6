import { BulwarkError } from '@bulwark/core';

const encodingNotReadyMarker = 'bulwark.error.encoding_not_ready';
const encodingNotReadySymbol = Symbol.for(encodingNotReadyMarker);

/** A synchronous count was asked for before `await estimator.ready()` loaded the encoding. */
export class EncodingNotReadyError extends BulwarkError {
  readonly [encodingNotReadySymbol] = true;
  /** The encoding that is not loaded yet. */
  readonly encoding: string;

  constructor({ encoding }: { encoding: string }) {
    super({
      message: `The ${encoding} encoding is not loaded yet: await estimator.ready() before counting synchronously`,
      code: 'encoding_not_ready',
    });
    this.name = 'EncodingNotReadyError';
    this.encoding = encoding;
  }

  static override isInstance(error: unknown): error is EncodingNotReadyError {
    return BulwarkError.hasMarker(error, encodingNotReadyMarker);
  }
}

const tokenCountMarker = 'bulwark.error.token_count_failed';
const tokenCountSymbol = Symbol.for(tokenCountMarker);

/** `countWithApi` failed: the SDK's error is the `cause`. */
export class TokenCountError extends BulwarkError {
  readonly [tokenCountSymbol] = true;
  /** The HTTP status of the API's answer, when there was one. */
  readonly status: number | undefined;

  constructor({ message, cause, status }: { message: string; cause: unknown; status: number | undefined }) {
    super({
      message,
      code: 'token_count_failed',
      cause,
      isRetryable:
        status === undefined || status === 408 || status === 409 || status === 429 || status >= 500,
    });
    this.name = 'TokenCountError';
    this.status = status;
  }

  static override isInstance(error: unknown): error is TokenCountError {
    return BulwarkError.hasMarker(error, tokenCountMarker);
  }
}
