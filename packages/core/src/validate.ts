import { InvalidArgumentError } from './errors.js';

/** Renders a value for an error message: `` `-1` (number) ``, `` `"abc"` (string) ``. */
export function describeValue(value: unknown): string {
  let rendered: string;
  if (typeof value === 'string') {
    rendered = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  } else if (typeof value === 'bigint') {
    rendered = `${value}n`;
  } else if (typeof value === 'function') {
    rendered = `[function ${value.name || 'anonymous'}]`;
  } else if (typeof value === 'symbol') {
    rendered = value.toString();
  } else if (value !== null && typeof value === 'object') {
    try {
      const json = JSON.stringify(value);
      rendered = json === undefined ? Object.prototype.toString.call(value) : json;
    } catch {
      rendered = Object.prototype.toString.call(value);
    }
    if (rendered.length > 60) rendered = `${rendered.slice(0, 57)}...`;
  } else {
    rendered = String(value);
  }
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${rendered}\` (${type})`;
}

/** Builds the house-style error: ``Expected `name` to be <expectation>, got `value` (type)``. */
export function invalidArgument(argument: string, expectation: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError({
    argument,
    value,
    message: `Expected \`${argument}\` to be ${expectation}, got ${describeValue(value)}`,
  });
}

export interface NumberRule {
  /** Smallest allowed value, inclusive. */
  min?: number;
  /** Largest allowed value, inclusive. */
  max?: number;
  /** Require an integer. @default false */
  integer?: boolean;
  /** Allow `Infinity` (for "no limit"). @default false */
  allowInfinity?: boolean;
}

function describeNumberRule({ min, max, integer = false, allowInfinity = false }: NumberRule): string {
  const noun = integer ? 'an integer' : allowInfinity ? 'a number' : 'a finite number';
  const bounds: string[] = [];
  if (min !== undefined) bounds.push(`>= ${min}`);
  if (max !== undefined) bounds.push(`<= ${max}`);
  return bounds.length === 0 ? noun : `${noun} ${bounds.join(' and ')}`;
}

/** Checks `value` is a number obeying `rule` and returns it; throws `InvalidArgumentError` otherwise. */
export function expectNumber(argument: string, value: unknown, rule: NumberRule = {}): number {
  const { min, max, integer = false, allowInfinity = false } = rule;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (allowInfinity || Number.isFinite(value)) &&
    (!integer || Number.isInteger(value) || (allowInfinity && !Number.isFinite(value))) &&
    (min === undefined || value >= min) &&
    (max === undefined || value <= max);
  if (!ok) throw invalidArgument(argument, describeNumberRule(rule), value);
  return value as number;
}

/** Like `expectNumber`, but `undefined` passes through (for optional options). */
export function expectOptionalNumber(
  argument: string,
  value: unknown,
  rule: NumberRule = {},
): number | undefined {
  return value === undefined ? undefined : expectNumber(argument, value, rule);
}

/** Checks `value` is a string (non-empty unless `allowEmpty`). */
export function expectString(argument: string, value: unknown, { allowEmpty = false } = {}): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    throw invalidArgument(argument, allowEmpty ? 'a string' : 'a non-empty string', value);
  }
  return value;
}

/** Checks `value` is one of `allowed`. */
export function expectOneOf<const T extends string>(
  argument: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(argument, `one of ${allowed.map((item) => `\`${item}\``).join(', ')}`, value);
  }
  return value as T;
}

/** Checks `value` is a plain object (not null, not an array). */
export function expectObject(argument: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument(argument, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/**
 * Refuses options this function does not know, which catches typos such as `maxRetry`
 * instead of silently ignoring them. `argument` names the options object in the message.
 */
export function expectKnownKeys(argument: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError({
        argument: `${argument}.${key}`,
        value: (value as Record<string, unknown>)[key],
        message: `Unknown option \`${argument}.${key}\`; expected one of ${known.map((item) => `\`${item}\``).join(', ')}`,
      });
    }
  }
}

/** Checks `value` is an `AbortSignal` or `undefined`. */
export function expectOptionalSignal(argument: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as AbortSignal).aborted !== 'boolean' ||
    typeof (value as AbortSignal).addEventListener !== 'function'
  ) {
    throw invalidArgument(argument, 'an AbortSignal', value);
  }
  return value as AbortSignal;
}
