import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type MockServer, type RequestLogEntry, startMockServer } from '@bulwark/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, deleteKeys, keysUnder, redisUrl, uniquePrefix } from './test-support/redis.js';
import { startThrowawayRedis, stopAllThrowawayRedis } from './test-support/redis-server.js';

const workerPath = fileURLToPath(new URL('./test-support/limiter-worker.ts', import.meta.url));
const model = 'claude-sonnet-4-5';
const requestsPerMinute = 600;
const workers = 4;
const maxTokens = 8;

const children = new Set<ReturnType<typeof spawn>>();
let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({
    seed: 7,
    outputTokens: { min: 3, max: 8 },
    rateLimits: { requestsPerMinute },
  });
});

afterEach(() => {
  server.reset();
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await server?.close();
  await stopAllThrowawayRedis();
});

interface WorkerResult {
  completed: number;
  rateLimited: number;
}

function runWorker(job: Record<string, unknown>): Promise<WorkerResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath], {
    env: { ...process.env, BULWARK_WORKER_JOB: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return once(child, 'exit').then(([code]) => {
    children.delete(child);
    if (code !== 0) throw new Error(`worker exited with ${code}: ${stderr}`);
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as WorkerResult;
  });
}

/** Starts `workers` processes making `callsPerWorker` calls each through one Redis store. */
function runWorkers(url: string, prefix: string, callsPerWorker: number): Promise<WorkerResult[]> {
  const body = {
    model,
    max_tokens: maxTokens,
    messages: [{ role: 'user' as const, content: 'Say something short.' }],
  };
  const job = {
    redisUrl: url,
    prefix,
    namespace: 'test-key',
    serverUrl: server.url,
    model,
    count: callsPerWorker,
    inputTokens: server.tokenizer.countRequest(body),
    maxTokens,
    limits: { requestsPerMinute, inputTokensPerMinute: 10_000_000, outputTokensPerMinute: 10_000_000 },
  };
  return Promise.all(Array.from({ length: workers }, () => runWorker(job)));
}

/**
 * Replays the calls the server accepted through the limit's own bucket (full at the first call,
 * refilling `requestsPerMinute` a minute): the level never falls below zero when the limit held.
 */
function lowestLevel(log: readonly RequestLogEntry[]): number {
  const accepted = log.filter((entry) => entry.status === 200).sort((a, b) => a.receivedAt - b.receivedAt);
  let level = requestsPerMinute;
  let lowest = level;
  let at = accepted[0]?.receivedAt ?? 0;
  for (const entry of accepted) {
    level = Math.min(requestsPerMinute, level + ((entry.receivedAt - at) * requestsPerMinute) / 60_000) - 1;
    at = entry.receivedAt;
    lowest = Math.min(lowest, level);
  }
  return lowest;
}

function expectLimitRespected(results: WorkerResult[], callsPerWorker: number): void {
  const rateLimited = results.reduce((sum, result) => sum + result.rateLimited, 0);
  expect(results.map((result) => result.completed)).toEqual(Array(workers).fill(callsPerWorker));
  const log = server.requests.filter((entry) => entry.path === '/v1/messages');
  expect(log.filter((entry) => entry.status === 200)).toHaveLength(workers * callsPerWorker);
  // At most one 429 per process while its first responses reconcile the buckets with the server.
  expect(log.filter((entry) => entry.status === 429)).toHaveLength(rateLimited);
  expect(rateLimited).toBeLessThanOrEqual(workers);
  // The log's clock is the server's: a millisecond of rounding is allowed, not a whole call.
  expect(lowestLevel(log)).toBeGreaterThan(-1);
}

describe('four processes sharing one Redis store', () => {
  it('together receive no 429 and the server log shows the limit respected', async () => {
    const admin = await connectAdmin();
    const prefix = uniquePrefix('multi-process');
    try {
      // 700 calls: the 600 of a full bucket, then 100 more at 10 a second, so the limit binds.
      const results = await runWorkers(redisUrl, prefix, 175);
      expectLimitRespected(results, 175);
      // What is left behind expires on its own.
      for (const key of await keysUnder(admin, prefix)) expect(await admin.pttl(key)).toBeGreaterThan(0);
    } finally {
      await deleteKeys(admin, prefix);
      admin.disconnect();
    }
  });

  it('survive a SCRIPT FLUSH in the middle of the run', async () => {
    // SCRIPT FLUSH empties the script cache of the whole server: a throwaway one, never 6379.
    const redis = await startThrowawayRedis();
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const prefix = uniquePrefix('flush');
    let flushes = 0;
    // Flush each time the server has seen another 150 calls: the workers must reload the scripts.
    const flusher = setInterval(() => {
      if (server.requests.length < (flushes + 1) * 150) return;
      flushes += 1;
      admin.script('FLUSH').catch(() => {});
    }, 5);
    try {
      const results = await runWorkers(redis.url, prefix, 160);
      clearInterval(flusher);
      expect(flushes).toBeGreaterThanOrEqual(2);
      expectLimitRespected(results, 160);
    } finally {
      clearInterval(flusher);
      admin.disconnect();
      await redis.stop();
    }
  });
});
