import { type CheckpointStore, createBus, createManualClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { StreamInterruptedError } from './stream-interrupted-error.js';
import { createStreamingClient } from './streaming-client.js';
import { recordEvents, settleWithClock, textOf } from './test-support/harness.js';
import { useMockServer, withoutTimers } from './test-support/mock-server.js';

const mock = useMockServer({ seed: 41, outputTokens: { min: 60, max: 120 } });

/** A store whose saves and deletes always reject, as a full or read-only disk would. */
function createFailingStore(): CheckpointStore {
  return {
    save: async () => {
      throw new Error('disk full');
    },
    load: async () => undefined,
    delete: async () => {
      throw new Error('read-only file system');
    },
    keys: async () => [],
  };
}

const request = {
  model: 'claude-haiku-4-5',
  max_tokens: 8000,
  messages: [{ role: 'user' as const, content: 'Keep going.' }],
};

function setup(retry: { maxRetries?: number } = {}) {
  const clock = createManualClock(0);
  const bus = createBus();
  const saved = recordEvents(bus, ['checkpoint:saved']);
  const failed = recordEvents(bus, ['checkpoint:failed']);
  const client = createStreamingClient({
    client: mock.sdk,
    bus,
    clock,
    checkpoints: createFailingStore(),
    checkpointEveryTokens: 5,
    retry,
    ...withoutTimers,
  });
  const failures = () => failed.map((event) => event.payload);
  return { client, clock, saved, failures };
}

describe('a checkpoint store that fails', () => {
  it('reports each failed save and the failed delete, and the request still succeeds', async () => {
    const { client, clock, saved, failures } = setup();
    const message = await settleWithClock(
      client.createMessage(request, { requestId: 'req-1', checkpointKey: 'job-1' }),
      clock,
    );
    expect(textOf(message)).toBe(mock.server.expectedText(request));
    expect(saved).toEqual([]);
    const saves = failures().filter((failure) => failure.operation === 'save');
    expect(saves.length).toBeGreaterThan(0);
    expect(saves[0]).toEqual({
      requestId: 'req-1',
      key: 'job-1',
      operation: 'save',
      error: { name: 'Error', message: 'disk full' },
    });
    expect(failures().filter((failure) => failure.operation === 'delete')).toEqual([
      {
        requestId: 'req-1',
        key: 'job-1',
        operation: 'delete',
        error: { name: 'Error', message: 'read-only file system' },
      },
    ]);
  });

  it('reports the failed save of a request that gives up, and rejects with the request’s own error', async () => {
    mock.server.setFaults({ schedule: { 1: { kind: 'drop', afterEvents: 20 } } });
    const { client, clock, failures } = setup({ maxRetries: 0 });
    const error = await settleWithClock(client.createMessage(request, { requestId: 'req-2' }), clock).catch(
      (reason: unknown) => reason,
    );
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(textOf((error as StreamInterruptedError).partial).length).toBeGreaterThan(0);
    expect(failures().at(-1)).toMatchObject({ requestId: 'req-2', key: 'req-2', operation: 'save' });
  });
});
