import Anthropic from '@anthropic-ai/sdk';
import { AbortedError, createBus, createManualClock, createMemoryCheckpointStore } from '@bulwark/core';
import { type Fault, startMockServer } from '@bulwark/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamCheckpoint } from './checkpoint-record.js';
import { StreamInterruptedError } from './stream-interrupted-error.js';
import { createStreamingClient } from './streaming-client.js';
import { recordEvents, settleWithClock, textOf } from './test-support/harness.js';

let server: Awaited<ReturnType<typeof startMockServer>>;
let sdk: Anthropic;

beforeAll(async () => {
  server = await startMockServer({ seed: 11, outputTokens: { min: 30, max: 90 } });
  sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});

describe('resuming is exact', () => {
  it('gives the uninterrupted text, and onText gives it too, wherever the stream drops and however it continues', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom('claude-haiku-4-5', 'claude-opus-4-6'),
        fc.constantFrom<Fault['kind']>('drop', 'close_without_stop', 'error_event'),
        fc.integer({ min: 0, max: 1000 }),
        async (afterEvents, model, kind, promptSeed) => {
          server.reset();
          server.setFaults({ schedule: { 1: { kind, afterEvents } as Fault } });
          const clock = createManualClock();
          const client = createStreamingClient({
            client: sdk,
            clock,
            stallTimeoutMs: Number.POSITIVE_INFINITY,
            progressIntervalMs: Number.POSITIVE_INFINITY,
          });
          const request = {
            model,
            max_tokens: 8000,
            messages: [{ role: 'user' as const, content: `Prompt number ${promptSeed}.` }],
          };
          let delivered = '';
          const message = await settleWithClock(
            client.createMessage(request, { onText: (text) => (delivered += text) }),
            clock,
          );
          const expected = server.expectedText(request);
          expect(textOf(message)).toBe(expected);
          expect(delivered).toBe(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('chaos', () => {
  it('ends 1,000 requests with random faults in a success or a typed error, losing nothing received', async () => {
    const tcpHandles = () => process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length;
    const handlesBefore = tcpHandles();
    const chaos = await startMockServer({
      seed: 3,
      outputTokens: { min: 10, max: 60 },
      faults: {
        random: {
          probability: 0.35,
          faults: [
            { kind: 'status', status: 429, retryAfterSeconds: 0 },
            { kind: 'status', status: 529 },
            { kind: 'status', status: 500 },
            { kind: 'status', status: 400 },
            // (No spend_limit here: the mock keeps it until reset, as the API would.)
            { kind: 'status', status: 403, errorType: 'permission_error' },
            { kind: 'reset_before_headers' },
            { kind: 'drop', afterEvents: 6 },
            { kind: 'drop', afterEvents: 2 },
            { kind: 'close_without_stop', afterEvents: 8 },
            { kind: 'error_event', afterEvents: 5 },
            { kind: 'error_event', afterEvents: 7, errorType: 'api_error' },
            { kind: 'malformed', afterEvents: 4 },
            { kind: 'stall', afterEvents: 5, durationMs: 2000 },
          ],
        },
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const client = createStreamingClient({
        client: new Anthropic({ apiKey: 'test-key', baseURL: chaos.url, maxRetries: 0 }),
        bus: createBus(),
        random: () => 0,
        stallTimeoutMs: 250,
        progressIntervalMs: Number.POSITIVE_INFINITY,
      });
      const outcomes = { success: 0, interrupted: 0, aborted: 0 };
      const total = 1000;
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const index = next++;
          const request = {
            model: index % 2 === 0 ? 'claude-haiku-4-5' : 'claude-opus-4-6',
            max_tokens: 5000,
            messages: [{ role: 'user' as const, content: `Chaos request ${index}.` }],
          };
          const controller = new AbortController();
          let delivered = '';
          const abortEarly = index % 97 === 0;
          try {
            const message = await client.createMessage(request, {
              signal: controller.signal,
              onText: (text) => {
                delivered += text;
                if (abortEarly && delivered.length > 10) controller.abort();
              },
            });
            expect(textOf(message)).toBe(chaos.expectedText(request));
            expect(delivered).toBe(textOf(message));
            outcomes.success += 1;
          } catch (error) {
            const typed = StreamInterruptedError.isInstance(error) || AbortedError.isInstance(error);
            expect(typed, String(error)).toBe(true);
            const partial = (error as StreamInterruptedError | AbortedError<Anthropic.Message>).partial;
            expect(textOf(partial)).toBe(delivered);
            expect(chaos.expectedText(request).startsWith(delivered)).toBe(true);
            if (AbortedError.isInstance(error)) outcomes.aborted += 1;
            else outcomes.interrupted += 1;
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      expect(outcomes.success + outcomes.interrupted + outcomes.aborted).toBe(total);
      expect(outcomes.success).toBeGreaterThan(total / 2);
      expect(outcomes.interrupted).toBeGreaterThan(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await chaos.close();
    }
    // Closed sockets leave the handle list a few event-loop turns later: give them those turns.
    for (let turn = 0; turn < 200 && tcpHandles() > handlesBefore; turn += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(tcpHandles()).toBeLessThanOrEqual(handlesBefore);
  }, 600_000);
});

describe('checkpoints', () => {
  it('finishes a request in a new client from the checkpoint the old one left', async () => {
    server.reset();
    server.setFaults({ schedule: { 1: { kind: 'drop', afterEvents: 25 } } });
    const store = createMemoryCheckpointStore();
    const request = {
      model: 'claude-opus-4-6',
      max_tokens: 8000,
      messages: [{ role: 'user' as const, content: 'A long one, please.' }],
    };
    const bus = createBus();
    const saved = recordEvents(bus, ['checkpoint:saved']);
    // The first process: checkpoints every 5 tokens, then dies with the stream (no retries).
    const first = createStreamingClient({
      client: sdk,
      checkpoints: store,
      bus,
      retry: { maxRetries: 0 },
      checkpointEveryTokens: 5,
    });
    let deliveredBefore = '';
    const error = await first
      .createMessage(request, { checkpointKey: 'job-1', onText: (text) => (deliveredBefore += text) })
      .catch((reason: unknown) => reason);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(saved.length).toBeGreaterThan(0);
    const checkpoint = (await store.load('job-1')) as StreamCheckpoint;
    expect(checkpoint.params.messages).toEqual(request.messages);

    // The second process: a new client, the same store.
    const second = createStreamingClient({
      client: new Anthropic({ apiKey: 'test-key', baseURL: server.url }),
      checkpoints: store,
    });
    let deliveredAfter = '';
    const message = await second.resumeFromCheckpoint('job-1', {
      onText: (text) => (deliveredAfter += text),
    });
    const expected = server.expectedText(request);
    expect(textOf(message)).toBe(expected);
    expect(deliveredBefore + deliveredAfter).toBe(expected);
    expect(server.requests.at(-1)?.continuation).toBe('user_turn');
    expect(await store.load('job-1')).toBeUndefined();
  });
});
