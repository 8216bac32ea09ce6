import { describe, expect, it, vi } from 'vitest';
import { attachLogger } from './attach-logger.js';
import { createBus } from './bus.js';
import { createMemoryCheckpointStore } from './checkpoint-store.js';
import { getHeader, parseRetryAfterMs } from './headers.js';
import { createSafeLogger, type Logger } from './logger.js';
import { modelAcceptsPrefill, modelClassOf, parseModelId } from './models.js';
import { createRequestId } from './request-id.js';
import {
  addUsage,
  emptyUsage,
  rateLimitedInputTokens,
  sumUsage,
  totalInputTokens,
  usageFromApi,
} from './usage.js';

const apiKey = 'sk-ant-api03-SECRETSECRETSECRETSECRETSECRET';

function recordingLogger(): Logger & { lines: Array<[string, unknown[]]> } {
  const lines: Array<[string, unknown[]]> = [];
  const method =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push([level, args]);
  return {
    lines,
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
  };
}

describe('usage helpers', () => {
  it('reads the API usage, treating null and missing fields as 0', () => {
    expect(usageFromApi({ input_tokens: 10, output_tokens: 3, cache_read_input_tokens: null })).toEqual({
      inputTokens: 10,
      outputTokens: 3,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
    });
    expect(usageFromApi(undefined)).toEqual(emptyUsage());
  });

  it('adds usages field by field', () => {
    const first = { inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 3, cacheReadInputTokens: 4 };
    const second = {
      inputTokens: 10,
      outputTokens: 20,
      cacheCreationInputTokens: 30,
      cacheReadInputTokens: 40,
    };
    expect(addUsage(first, second)).toEqual({
      inputTokens: 11,
      outputTokens: 22,
      cacheCreationInputTokens: 33,
      cacheReadInputTokens: 44,
    });
    expect(sumUsage([first, second, first])).toEqual({
      inputTokens: 12,
      outputTokens: 24,
      cacheCreationInputTokens: 36,
      cacheReadInputTokens: 48,
    });
    expect(sumUsage([])).toEqual(emptyUsage());
  });

  it('counts cache reads toward the context but not toward the input rate limit by default', () => {
    const usage = {
      inputTokens: 100,
      outputTokens: 0,
      cacheCreationInputTokens: 50,
      cacheReadInputTokens: 1_000,
    };
    expect(totalInputTokens(usage)).toBe(1_150);
    expect(rateLimitedInputTokens(usage)).toBe(150);
    expect(rateLimitedInputTokens(usage, { countCacheReads: true })).toBe(1_150);
  });
});

describe('headers', () => {
  it('reads headers case-insensitively from Headers and from plain objects', () => {
    expect(getHeader(new Headers({ 'Retry-After': '3' }), 'retry-after')).toBe('3');
    expect(getHeader({ 'Retry-After': '3' }, 'retry-after')).toBe('3');
    expect(getHeader({ 'set-cookie': ['a', 'b'] }, 'Set-Cookie')).toBe('a');
    expect(getHeader({}, 'retry-after')).toBeUndefined();
    expect(getHeader(undefined, 'retry-after')).toBeUndefined();
  });

  it('prefers retry-after-ms, then retry-after seconds, then an HTTP date', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' })).toBe(1_500);
    expect(parseRetryAfterMs({ 'retry-after': '2' })).toBe(2_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5_000);
    expect(parseRetryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parseRetryAfterMs({})).toBeUndefined();
  });
});

describe('models', () => {
  it('maps model ids to their rate-limit class', () => {
    expect(modelClassOf('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4');
    expect(modelClassOf('claude-opus-4-7')).toBe('claude-opus-4');
    expect(modelClassOf('claude-opus-5')).toBe('claude-opus-5');
    expect(modelClassOf('claude-haiku-4-5')).toBe('claude-haiku-4');
    expect(modelClassOf('claude-3-5-sonnet-20241022')).toBe('claude-3-5-sonnet');
    expect(modelClassOf('claude-3-haiku-20240307')).toBe('claude-3-haiku');
    expect(modelClassOf('gpt-4o')).toBeUndefined();
    expect(parseModelId('claude-sonnet-4-6')).toMatchObject({ tier: 'sonnet', major: 4, minor: 6 });
  });

  it('knows which models accept prefill', () => {
    expect(modelAcceptsPrefill('claude-sonnet-4-5')).toBe(true);
    expect(modelAcceptsPrefill('claude-haiku-4-5-20251001')).toBe(true);
    expect(modelAcceptsPrefill('claude-3-5-sonnet-20241022')).toBe(true);
    expect(modelAcceptsPrefill('claude-sonnet-4-6')).toBe(false);
    expect(modelAcceptsPrefill('claude-opus-4-7')).toBe(false);
    expect(modelAcceptsPrefill('claude-opus-5')).toBe(false);
    expect(modelAcceptsPrefill('some-unknown-model')).toBe(false);
  });
});

describe('createMemoryCheckpointStore', () => {
  it('saves, loads, lists and deletes copies of values', async () => {
    const store = createMemoryCheckpointStore<{ text: string }>();
    const value = { text: 'partial' };
    await store.save('job-1', value);
    value.text = 'mutated later';
    expect(await store.load('job-1')).toEqual({ text: 'partial' });
    expect(await store.keys()).toEqual(['job-1']);
    await store.delete('job-1');
    await store.delete('job-1');
    expect(await store.load('job-1')).toBeUndefined();
    expect(await store.keys()).toEqual([]);
  });
});

describe('createRequestId', () => {
  it('makes distinct prefixed ids', () => {
    const ids = new Set(Array.from({ length: 100 }, () => createRequestId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
  });
});

describe('loggers', () => {
  it('createSafeLogger redacts every argument and drops levels below the threshold', () => {
    const target = recordingLogger();
    const logger = createSafeLogger(target, { level: 'info' });
    logger.debug('dropped');
    logger.warn({ apiKey, model: 'm' }, `key ${apiKey}`);
    expect(target.lines).toHaveLength(1);
    expect(target.lines[0]?.[0]).toBe('warn');
    expect(JSON.stringify(target.lines)).not.toContain('SECRETSECRET');
    expect(JSON.stringify(target.lines)).toContain('"model":"m"');
  });

  it('attachLogger logs bus events at their level until unsubscribed', () => {
    const bus = createBus();
    const target = recordingLogger();
    const detach = attachLogger(bus, target, { level: 'debug' });
    bus.emit('stream:stall', {
      requestId: 'req_1',
      model: 'claude-sonnet-4-5',
      attempt: 1,
      idleMs: 30_000,
      pingsCountAsActivity: false,
    });
    expect(target.lines).toEqual([
      [
        'warn',
        [
          {
            event: 'stream:stall',
            requestId: 'req_1',
            model: 'claude-sonnet-4-5',
            attempt: 1,
            idleMs: 30_000,
            pingsCountAsActivity: false,
          },
          'stream:stall',
        ],
      ],
    ]);
    detach();
    bus.emit('file:refused', { path: 'x', reason: 'outside_root', message: 'no' });
    expect(target.lines).toHaveLength(1);
    expect(bus.listenerCount('file:refused')).toBe(0);
  });

  it('attachLogger honours per-event levels and the threshold', () => {
    const bus = createBus();
    const target = recordingLogger();
    attachLogger(bus, target, { level: 'info', levels: { 'file:chunk': 'info' } });
    bus.emit('file:chunk', {
      path: 'a',
      index: 0,
      tokenCount: 1,
      byteStart: 0,
      byteEnd: 1,
      lineStart: 1,
      lineEnd: 1,
    });
    bus.emit('ratelimit:admit', {
      model: 'm',
      modelClass: 'c',
      inputTokens: 1,
      outputTokens: 1,
      waitedMs: 0,
      levels: {},
    });
    expect(target.lines.map(([level, args]) => `${level}:${String(args[1])}`)).toEqual(['info:file:chunk']);
  });

  it('a logger subscriber never sees an API key placed in a payload', () => {
    const bus = createBus();
    const log = vi.fn();
    attachLogger(bus, { debug: log, info: log, warn: log, error: log }, { level: 'debug' });
    bus.emit('request:error', {
      requestId: 'req_1',
      model: 'm',
      attempt: 1,
      error: { name: 'AuthenticationError', message: `invalid x-api-key ${apiKey}` },
      willRetry: false,
    });
    expect(JSON.stringify(log.mock.calls)).not.toContain('SECRETSECRET');
  });
});
