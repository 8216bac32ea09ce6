import { describe, expect, it } from 'vitest';
import { summarizeError } from './error-summary.js';
import { InvalidArgumentError } from './errors.js';

describe('summarizeError', () => {
  it('keeps the name, message and Bulwark code, and adds what the caller knows', () => {
    const error = new InvalidArgumentError({ argument: 'x', value: 1, message: 'bad x' });
    expect(summarizeError(error, { status: 400, type: 'invalid_request_error' })).toEqual({
      name: 'InvalidArgumentError',
      message: 'bad x',
      code: 'invalid_argument',
      status: 400,
      type: 'invalid_request_error',
    });
  });

  it('describes a thrown non-error without its stack or cause', () => {
    expect(summarizeError('boom')).toEqual({ name: 'Error', message: 'boom' });
    const summary = summarizeError(new Error('outer', { cause: new Error('secret inside') }));
    expect(JSON.stringify(summary)).not.toContain('secret');
  });
});
