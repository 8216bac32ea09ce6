import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { type MockServer, startMockServer } from '@bulwark/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  ClientClosedError,
  createBus,
  createClient,
  createMemoryCheckpointStore,
  InvalidArgumentError,
  type Logger,
} from './index.js';
import { createClient as createNodeClient, FileAccessError } from './node.js';

const model = 'claude-sonnet-4-6';
const request = (content: string, maxTokens = 600) => ({
  model,
  max_tokens: maxTokens,
  messages: [{ role: 'user' as const, content }],
});
const textOf = (message: { content: Array<{ type: string; text?: string }> }) =>
  message.content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');

let server: MockServer;
let scratch: string;

beforeEach(async () => {
  server = await startMockServer({
    seed: 4,
    outputTokens: { min: 300, max: 500 },
    rateLimits: { requestsPerMinute: 500, inputTokensPerMinute: 200_000, outputTokensPerMinute: 100_000 },
  });
  scratch = await mkdtemp(join(tmpdir(), 'bulwark-client-'));
});

afterEach(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('createClient against @bulwark/testing with the real SDK', () => {
  it('getCompletion returns the text an uninterrupted request gives', async () => {
    const client = createClient({ apiKey: 'test-key', baseURL: server.url });
    const text = await client.getCompletion('Tell me about lighthouses.', { maxTokens: 600 });
    expect(text).toBe(server.expectedText(request('Tell me about lighthouses.')));
    await client.close();
  });

  it('resumes a dropped stream, and usage() counts the attempt, the retry and the resume', async () => {
    const client = createClient({
      apiKey: 'test-key',
      baseURL: server.url,
      retry: { initialRetryDelayMs: 1, maxRetryDelayMs: 5 },
    });
    server.setFaults({ schedule: { 1: { kind: 'drop', afterEvents: 120 } } });
    const params = { ...request('A long story, please.', 6_000) };
    let delivered = '';
    const message = await client.createMessage(params, { onText: (delta) => (delivered += delta) });

    expect(textOf(message)).toBe(server.expectedText(params));
    expect(delivered).toBe(textOf(message));
    expect(server.requests.filter((entry) => entry.path === '/v1/messages')).toHaveLength(2);
    const totals = client.usage()[model];
    expect(totals).toMatchObject({ requests: 1, failed: 0, attempts: 2, retries: 1, resumes: 1 });
    expect(totals?.outputTokensKeptByResume).toBeGreaterThan(0);
    expect(totals?.usage.outputTokens).toBe(message.usage.output_tokens);
    expect(totals?.costUsd).toBeGreaterThan(0);
    await client.close();
  });

  it('learns the rate limits from the headers when none are configured', async () => {
    const client = createClient({ apiKey: 'test-key', baseURL: server.url });
    await client.getCompletion('Hi', { maxTokens: 100 });
    expect(client.limiter.limitsOf(model)).toMatchObject({
      requestsPerMinute: 500,
      inputTokensPerMinute: 200_000,
      outputTokensPerMinute: 100_000,
    });
    await client.close();
  });

  it('calibrates the estimator from the usage the server reports', async () => {
    const client = createClient({ apiKey: 'test-key', baseURL: server.url });
    const before = client.estimator.calibrationRatio(model);
    for (let index = 0; index < 5; index += 1) {
      await client.getCompletion(`Question number ${index}: ${'why is the sky blue? '.repeat(20)}`, {
        maxTokens: 50,
      });
    }
    const after = client.estimator.calibrationRatio(model);
    expect(after).not.toBe(before);
    const params = request(`A fresh question: ${'how do tides work? '.repeat(30)}`, 50);
    const estimate = await client.estimateRequest(params);
    const sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.url });
    const actual = await sdk.messages.countTokens({ model, messages: params.messages });
    expect(Math.abs(estimate.inputTokens - actual.input_tokens) / actual.input_tokens).toBeLessThan(0.15);
    await client.close();
  });

  it('finishes a request from its checkpoint in a new client after the first one stopped', async () => {
    const checkpointDir = join(scratch, 'checkpoints');
    // Long answers, and a stall after 700 events: past the first checkpoint (every 500 tokens).
    const longServer = await startMockServer({
      seed: 8,
      outputTokens: 2_000,
      faults: { schedule: { 1: { kind: 'stall', afterEvents: 700, durationMs: 600_000 } } },
    });
    try {
      const params = request('An epic, please.', 6_000);
      const options = { apiKey: 'test-key', baseURL: longServer.url, checkpointDir, stallTimeoutMs: 600_000 };
      const first = createNodeClient(options);
      const saved = new Promise<number>((resolve) =>
        first.bus.on('checkpoint:saved', (event) => resolve(event.outputTokens)),
      );
      const pending = first.createMessage(params, { checkpointKey: 'epic' });
      expect(await saved).toBeGreaterThanOrEqual(500);
      await first.close({ abortInFlight: true });
      const aborted = await pending.catch((error: unknown) => error);
      expect(AbortedError.isInstance(aborted)).toBe(true);

      const second = createNodeClient(options);
      const resumed = await second.resumeFromCheckpoint('epic');
      expect(textOf(resumed)).toBe(longServer.expectedText(params));
      expect(longServer.requests.at(-1)?.continuation).not.toBe('none');
      await second.close();
    } finally {
      await longServer.close();
    }
  });

  it('logs events through the logger without the API key', async () => {
    const lines: string[] = [];
    const record = (...args: unknown[]) => lines.push(JSON.stringify(args));
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const apiKey = 'sk-ant-api03-test-ONLY-not-a-real-key-0123456789abcdef';
    const keyedServer = await startMockServer({ apiKey: 'another-test-key' });
    try {
      const client = createClient({ apiKey, baseURL: keyedServer.url, logger, logLevel: 'debug' });
      const failure = await client.getCompletion('Hi', { maxTokens: 50 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(lines.some((line) => line.includes('request:start'))).toBe(true);
      expect(lines.some((line) => line.includes('request:error'))).toBe(true);
      expect(lines.join('\n')).not.toContain('not-a-real-key');
      await client.close();
    } finally {
      await keyedServer.close();
    }
  });
});

describe('createClient files, lifecycle and options', () => {
  it('chunks a file inside fileRoot and refuses one outside it', async () => {
    const root = join(scratch, 'root');
    await mkdir(root);
    await writeFile(join(root, 'notes.txt'), `${'A paragraph about limits. '.repeat(40)}\n\n`.repeat(30));
    await writeFile(join(scratch, 'secret.txt'), 'outside');
    const client = createNodeClient({ apiKey: 'test-key', baseURL: server.url, fileRoot: root });
    const chunks = [];
    for await (const chunk of client.chunkFile('notes.txt', { maxTokens: 300 })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(300);
      expect(chunk.tokenCount).toBe(await client.countTokens(chunk.text));
    }
    const refused = await (async () => {
      for await (const _ of client.chunkFile('../secret.txt', { maxTokens: 300 })) return 'read';
      return 'empty';
    })().catch((error: unknown) => error);
    expect(FileAccessError.isInstance(refused)).toBe(true);
    expect((refused as FileAccessError).reason).toBe('outside_root');
    await client.close();
  });

  it('lets a call under way finish before close resolves, unless asked to abort it', async () => {
    const client = createClient({ apiKey: 'test-key', baseURL: server.url });
    const order: string[] = [];
    const call = client.createMessage(request('Finish me.')).then((message) => {
      order.push('message');
      return message;
    });
    await client.close().then(() => order.push('closed'));
    expect(order).toEqual(['message', 'closed']);
    expect(textOf(await call)).toBe(server.expectedText(request('Finish me.')));
  });

  it('refuses calls after close and detaches from the bus', async () => {
    const client = createClient({ apiKey: 'test-key', baseURL: server.url });
    await client.close();
    await expect(client.getCompletion('Hi', { maxTokens: 10 })).rejects.toBeInstanceOf(ClientClosedError);
    expect(client.bus.listenerCount('usage')).toBe(0);
    await client.close();
  });

  it('refuses unknown and bad options before any call', () => {
    expect(() => createClient({ maxRetry: 3 } as never)).toThrow(InvalidArgumentError);
    expect(() => createClient({ stallTimeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => createClient({ stallTimeoutMs: -1 })).toThrow('stallTimeoutMs');
    expect(() => createClient({ retry: { maxRetries: 1, tries: 2 } as never })).toThrow(
      'Unknown option `options.retry.tries`',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('leaves nothing on the caller bus when a later part refuses its options', () => {
    const bus = createBus();
    const logger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    expect(() => createClient({ bus, logger, streamingThresholdTokens: -5 })).toThrow(InvalidArgumentError);
    expect(bus.eventNames()).toEqual([]);
  });

  it('refuses both a checkpoint directory and a checkpoint store', () => {
    expect(() =>
      createNodeClient({ checkpointDir: scratch, checkpoints: createMemoryCheckpointStore() }),
    ).toThrow('Give either `checkpointDir` or `checkpoints`');
  });
});
