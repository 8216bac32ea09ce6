import { describe, expect, it } from 'vitest';
import { AbortedError, BulwarkError, InvalidArgumentError, isAbortError, throwIfAborted } from './errors.js';

// A second, separately evaluated copy of the module: what two installed copies of
// @bulwark/core in one application look like (a query string makes Vite load it anew).
const loadSecondCopy = async (): Promise<typeof import('./errors.js')> =>
  // @ts-expect-error the query suffix is for the bundler; the module is the same file
  (await import('./errors.js?second-copy')) as typeof import('./errors.js');

describe('BulwarkError', () => {
  it('carries a stable code, a message and a name', () => {
    const error = new BulwarkError({ message: 'went wrong', code: 'custom_code' });
    expect(error.code).toBe('custom_code');
    expect(error.message).toBe('went wrong');
    expect(error.name).toBe('BulwarkError');
    expect(error.isRetryable).toBe(false);
    expect(error).toBeInstanceOf(Error);
  });

  it('chains the cause', () => {
    const root = new TypeError('socket hang up');
    const error = new BulwarkError({ message: 'request failed', code: 'request_failed', cause: root });
    expect(error.cause).toBe(root);
    const outer = new InvalidArgumentError({ argument: 'x', value: 1, message: 'bad', cause: error });
    expect((outer.cause as BulwarkError).cause).toBe(root);
  });

  it('leaves cause undefined when none is given', () => {
    expect(new BulwarkError({ message: 'm', code: 'c' }).cause).toBeUndefined();
    expect('cause' in new BulwarkError({ message: 'm', code: 'c' })).toBe(false);
  });

  it('recognises errors from a second copy of the module with isInstance, where instanceof fails', async () => {
    const second = await loadSecondCopy();
    expect(second.BulwarkError).not.toBe(BulwarkError);

    const foreignInvalid = new second.InvalidArgumentError({ argument: 'a', value: 1, message: 'bad' });
    expect(foreignInvalid instanceof InvalidArgumentError).toBe(false);
    expect(InvalidArgumentError.isInstance(foreignInvalid)).toBe(true);
    expect(BulwarkError.isInstance(foreignInvalid)).toBe(true);
    expect(AbortedError.isInstance(foreignInvalid)).toBe(false);

    const localAborted = new AbortedError();
    expect(second.AbortedError.isInstance(localAborted)).toBe(true);
    expect(second.InvalidArgumentError.isInstance(localAborted)).toBe(false);
  });

  it('does not mistake other values for Bulwark errors', () => {
    for (const value of [new Error('plain'), null, undefined, 'BulwarkError', { code: 'aborted' }, 42]) {
      expect(BulwarkError.isInstance(value)).toBe(false);
      expect(AbortedError.isInstance(value)).toBe(false);
    }
  });
});

describe('InvalidArgumentError', () => {
  it('names the argument and keeps the value', () => {
    const error = new InvalidArgumentError({
      argument: 'limits.requestsPerMinute',
      value: -1,
      message: 'bad',
    });
    expect(error.code).toBe('invalid_argument');
    expect(error.argument).toBe('limits.requestsPerMinute');
    expect(error.value).toBe(-1);
    expect(error.name).toBe('InvalidArgumentError');
  });
});

describe('AbortedError and abort helpers', () => {
  it('keeps the partial result', () => {
    const error = new AbortedError({ partial: { text: 'Hello, wor' } });
    expect(error.partial).toEqual({ text: 'Hello, wor' });
    expect(error.code).toBe('aborted');
    expect(error.isRetryable).toBe(false);
  });

  it('throwIfAborted throws AbortedError with the reason as cause, and nothing when not aborted', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
    const reason = new Error('user cancelled');
    controller.abort(reason);
    try {
      throwIfAborted(controller.signal);
      expect.unreachable('throwIfAborted did not throw');
    } catch (error) {
      expect(AbortedError.isInstance(error)).toBe(true);
      expect((error as AbortedError).cause).toBe(reason);
    }
  });

  it('isAbortError recognises Bulwark, DOM and SDK aborts only', () => {
    expect(isAbortError(new AbortedError())).toBe(true);
    expect(isAbortError(new DOMException('aborted', 'AbortError'))).toBe(true);
    const sdkAbort = Object.assign(new Error('Request was aborted.'), { name: 'APIUserAbortError' });
    expect(isAbortError(sdkAbort)).toBe(true);
    expect(isAbortError(new Error('terminated'))).toBe(false);
    expect(isAbortError(undefined)).toBe(false);
  });
});
