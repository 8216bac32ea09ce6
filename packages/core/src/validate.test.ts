import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import {
  describeValue,
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalNumber,
  expectOptionalSignal,
  expectString,
} from './validate.js';

function errorOf(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('describeValue', () => {
  it('renders the value and its type', () => {
    expect(describeValue(-1)).toBe('`-1` (number)');
    expect(describeValue('abc')).toBe('`"abc"` (string)');
    expect(describeValue(null)).toBe('`null` (null)');
    expect(describeValue(undefined)).toBe('`undefined` (undefined)');
    expect(describeValue([1, 2])).toBe('`[1,2]` (array)');
    expect(describeValue(Number.NaN)).toBe('`NaN` (number)');
    expect(describeValue({ a: 1 })).toBe('`{"a":1}` (object)');
  });

  it('shortens long values', () => {
    expect(describeValue('x'.repeat(200)).length).toBeLessThan(80);
  });

  it('survives values JSON cannot render', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('`[object Object]` (object)');
    expect(describeValue(10n)).toBe('`10n` (bigint)');
  });
});

describe('expectNumber', () => {
  it('says what was expected and what came', () => {
    const error = errorOf(() => expectNumber('interval', -1, { min: 0 }));
    expect(error.message).toBe('Expected `interval` to be a finite number >= 0, got `-1` (number)');
    expect(error.argument).toBe('interval');
    expect(error.value).toBe(-1);
  });

  it('refuses NaN, infinities and non-numbers', () => {
    for (const value of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      '5',
      null,
      undefined,
    ]) {
      expect(() => expectNumber('limit', value)).toThrow(InvalidArgumentError);
    }
  });

  it('checks integers and both bounds', () => {
    expect(errorOf(() => expectNumber('max_tokens', 1.5, { integer: true, min: 1 })).message).toBe(
      'Expected `max_tokens` to be an integer >= 1, got `1.5` (number)',
    );
    expect(errorOf(() => expectNumber('ratio', 3, { min: 0, max: 1 })).message).toBe(
      'Expected `ratio` to be a finite number >= 0 and <= 1, got `3` (number)',
    );
    expect(expectNumber('ratio', 0.5, { min: 0, max: 1 })).toBe(0.5);
  });

  it('allows positive infinity when asked', () => {
    expect(expectNumber('limit', Number.POSITIVE_INFINITY, { min: 0, allowInfinity: true })).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => expectNumber('limit', Number.NEGATIVE_INFINITY, { min: 0, allowInfinity: true })).toThrow(
      'Expected `limit` to be a number >= 0',
    );
  });

  it('lets undefined through only for optional numbers', () => {
    expect(expectOptionalNumber('timeoutMs', undefined)).toBeUndefined();
    expect(() => expectOptionalNumber('timeoutMs', -5, { min: 0 })).toThrow('got `-5` (number)');
  });
});

describe('other checks', () => {
  it('expectString refuses empty strings unless allowed', () => {
    expect(errorOf(() => expectString('model', '')).message).toBe(
      'Expected `model` to be a non-empty string, got `""` (string)',
    );
    expect(expectString('suffix', '', { allowEmpty: true })).toBe('');
    expect(() => expectString('model', 4)).toThrow(InvalidArgumentError);
  });

  it('expectOneOf lists the allowed values', () => {
    expect(errorOf(() => expectOneOf('encoding', 'p50k', ['cl100k_base', 'o200k_base'])).message).toBe(
      'Expected `encoding` to be one of `cl100k_base`, `o200k_base`, got `"p50k"` (string)',
    );
    expect(expectOneOf('encoding', 'o200k_base', ['cl100k_base', 'o200k_base'])).toBe('o200k_base');
  });

  it('expectObject refuses arrays and null', () => {
    expect(() => expectObject('options', [])).toThrow('Expected `options` to be an object, got `[]` (array)');
    expect(() => expectObject('options', null)).toThrow(InvalidArgumentError);
    expect(expectObject('options', { a: 1 })).toEqual({ a: 1 });
  });

  it('expectKnownKeys names the unknown option', () => {
    const error = errorOf(() => expectKnownKeys('options', { maxRetry: 3 }, ['maxRetries', 'signal']));
    expect(error.argument).toBe('options.maxRetry');
    expect(error.message).toBe('Unknown option `options.maxRetry`; expected one of `maxRetries`, `signal`');
    expect(() => expectKnownKeys('options', { maxRetries: 3 }, ['maxRetries'])).not.toThrow();
  });

  it('expectOptionalSignal accepts signals and undefined only', () => {
    const signal = new AbortController().signal;
    expect(expectOptionalSignal('signal', signal)).toBe(signal);
    expect(expectOptionalSignal('signal', undefined)).toBeUndefined();
    expect(() => expectOptionalSignal('signal', { aborted: 'no' })).toThrow(
      'Expected `signal` to be an AbortSignal',
    );
  });
});
