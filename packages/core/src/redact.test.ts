import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact.js';

const apiKey = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdefghij';

describe('redactSecrets', () => {
  it('removes an API key from a string and keeps the rest', () => {
    const result = redactSecrets(`request failed for key ${apiKey} after 3 tries`);
    expect(result).not.toContain('AbCdEf');
    expect(result).toBe(`request failed for key sk-ant-${REDACTED} after 3 tries`);
  });

  it('removes bearer tokens and x-api-key pairs written in text', () => {
    const result = redactSecrets('headers: Authorization: Bearer abc.def-123 x-api-key: secretvalue42');
    expect(result).not.toContain('abc.def-123');
    expect(result).not.toContain('secretvalue42');
    expect(result).toContain('Bearer [REDACTED]');
  });

  it('redacts secret-bearing keys and strings in nested objects and arrays', () => {
    const input = {
      model: 'claude-sonnet-4-5',
      options: { apiKey, nested: [{ headers: { 'X-Api-Key': 'k1', accept: 'application/json' } }] },
      notes: [`uses ${apiKey}`],
    };
    const result = redactSecrets(input);
    expect(result.model).toBe('claude-sonnet-4-5');
    expect(result.options.apiKey).toBe(REDACTED);
    expect(result.options.nested[0]?.headers['X-Api-Key']).toBe(REDACTED);
    expect(result.options.nested[0]?.headers.accept).toBe('application/json');
    expect(result.notes[0]).toBe(`uses sk-ant-${REDACTED}`);
    expect(JSON.stringify(result)).not.toContain('AbCdEf');
  });

  it('does not modify its input', () => {
    const input = { apiKey, list: [apiKey] };
    redactSecrets(input);
    expect(input.apiKey).toBe(apiKey);
    expect(input.list[0]).toBe(apiKey);
  });

  it('turns Headers into a redacted plain object', () => {
    const headers = new Headers({
      authorization: `Bearer ${apiKey}`,
      'x-api-key': apiKey,
      'request-id': 'req_1',
    });
    const result = redactSecrets(headers) as unknown as Record<string, string>;
    expect(result.authorization).toBe(REDACTED);
    expect(result['x-api-key']).toBe(REDACTED);
    expect(result['request-id']).toBe('req_1');
  });

  it('redacts error messages, stacks, own fields and causes', () => {
    const cause = new Error(`401 invalid x-api-key: ${apiKey}`);
    const error = Object.assign(new Error(`failed with ${apiKey}`, { cause }), {
      status: 401,
      headers: { 'x-api-key': apiKey },
    });
    const result = redactSecrets(error) as unknown as Record<string, unknown>;
    expect(result.message).toBe(`failed with sk-ant-${REDACTED}`);
    expect(String(result.stack)).not.toContain('AbCdEf');
    expect(result.status).toBe(401);
    expect((result.headers as Record<string, string>)['x-api-key']).toBe(REDACTED);
    expect(JSON.stringify(result.cause)).not.toContain('AbCdEf');
  });

  it('keeps cycles and Map entries safe', () => {
    const cyclic: Record<string, unknown> = { token: 'abc' };
    cyclic.self = cyclic;
    const result = redactSecrets(cyclic);
    expect(result.token).toBe(REDACTED);
    expect(result.self).toBe(result);
    const map = redactSecrets(new Map([['apiKey', apiKey]]));
    expect(map.get('apiKey')).toBe(REDACTED);
  });

  it('passes through numbers, booleans, null and undefined', () => {
    expect(redactSecrets(5)).toBe(5);
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets(undefined)).toBeUndefined();
    expect(redactSecrets(true)).toBe(true);
  });
});
