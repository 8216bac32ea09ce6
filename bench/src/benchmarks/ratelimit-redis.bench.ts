/**
 * Takes per second of the Redis store of @bulwark/ratelimit-redis, in one process and in four
 * processes sharing one Redis, beside the memory store (no network: the ceiling) and
 * rate-limiter-flexible's RateLimiterRedis on ioredis (the peer a user would pick).
 *
 * The same file is its own worker: with BULWARK_BENCH_WORKER set it runs one store's loop in a
 * child process, waits for "go" on stdin, and prints its op count and duration.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createMemoryStore, type RateLimitStore, type StoreBucketAmount } from '@bulwark/ratelimit';
import { createRedisStore } from '@bulwark/ratelimit-redis';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { type Benchmark, formatNumber, formatRatio, measure } from '../harness.js';

type Subject = 'bulwark-redis' | 'bulwark-memory' | 'rlf-redis';
const subjects: Subject[] = ['bulwark-redis', 'rlf-redis', 'bulwark-memory'];
const labels: Record<Subject, string> = {
  'bulwark-redis': '@bulwark/ratelimit-redis `take` (3 buckets, one Lua script)',
  'rlf-redis': 'rate-limiter-flexible 11.4.0 RateLimiterRedis `consume` (ioredis 6.0.0)',
  'bulwark-memory': '@bulwark/ratelimit memory store `take` (in process, reference)',
};

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Limits so large that every take is admitted: the benchmark measures the operation, not waits.
const buckets: StoreBucketAmount[] = [
  { bucket: 'requests', capacity: 1e12, refillPerSecond: 1e10, amount: 1 },
  { bucket: 'input_tokens', capacity: 1e15, refillPerSecond: 1e13, amount: 1_000 },
  { bucket: 'output_tokens', capacity: 1e15, refillPerSecond: 1e13, amount: 500 },
];

interface Runner {
  take(): Promise<unknown>;
  close(): Promise<void>;
}

async function openRunner(subject: Subject, prefix: string): Promise<Runner> {
  const scope = { namespace: 'bench', modelClass: 'claude-sonnet-4' };
  if (subject === 'bulwark-memory') {
    const store: RateLimitStore = createMemoryStore();
    return { take: () => store.take({ scope, buckets }), close: async () => {} };
  }
  if (subject === 'bulwark-redis') {
    const store = createRedisStore({ url: redisUrl, prefix });
    return { take: () => store.take({ scope, buckets }), close: () => store.close() };
  }
  const client = new Redis(redisUrl, { enableOfflineQueue: false });
  await once(client, 'ready');
  const limiter = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: prefix,
    points: 1e12,
    duration: 60,
  });
  return {
    take: () => limiter.consume('bench', 1),
    close: async () => {
      client.disconnect();
    },
  };
}

async function takes(runner: Runner, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) await runner.take();
}

async function deletePrefix(prefix: string): Promise<void> {
  const client = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
  client.disconnect();
}

/** In a child process: open, warm up, say "ready", wait for "go", run, print the result. */
async function runWorker(): Promise<void> {
  const { subject, prefix, count } = JSON.parse(process.env.BULWARK_BENCH_WORKER ?? '{}') as {
    subject: Subject;
    prefix: string;
    count: number;
  };
  const runner = await openRunner(subject, prefix);
  await takes(runner, Math.min(2_000, count));
  console.log('ready');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line === 'go') break;
  const start = performance.now();
  await takes(runner, count);
  const elapsedMs = performance.now() - start;
  await runner.close();
  console.log(JSON.stringify({ count, elapsedMs }));
  lines.close();
}

/** Four processes start together; the aggregate rate is all their takes over the slowest one's time. */
async function fourProcesses(subject: Subject, prefix: string, count: number) {
  const file = fileURLToPath(import.meta.url);
  const children = Array.from({ length: 4 }, () =>
    spawn(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, BULWARK_BENCH_WORKER: JSON.stringify({ subject, prefix, count }) },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  try {
    const outputs = children.map((child) =>
      createInterface({ input: child.stdout! })[Symbol.asyncIterator](),
    );
    for (const output of outputs) {
      const first = await output.next();
      if (first.value !== 'ready') throw new Error(`worker did not start: ${String(first.value)}`);
    }
    for (const child of children) child.stdin!.write('go\n');
    const results = await Promise.all(
      outputs.map(
        async (output) => JSON.parse((await output.next()).value as string) as { elapsedMs: number },
      ),
    );
    const slowestMs = Math.max(...results.map((result) => result.elapsedMs));
    const perProcess = results.map((result) => (count / result.elapsedMs) * 1000);
    return {
      aggregate: ((4 * count) / slowestMs) * 1000,
      perProcessMedian: perProcess.sort((a, b) => a - b)[1]!,
    };
  } finally {
    for (const child of children) {
      child.stdin?.end();
      if (child.exitCode === null) child.kill();
    }
  }
}

if (process.env.BULWARK_BENCH_WORKER) {
  await runWorker();
  process.exit(0);
}

const benchmark: Benchmark = {
  id: 'ratelimit-redis',
  async run({ quick }) {
    const count = quick ? 2_000 : 20_000;
    const processCount = quick ? 2_000 : 10_000;
    const prefix = `bulwark-bench:${randomUUID()}:`;
    const single = new Map<Subject, number>();
    const multi = new Map<Subject, { aggregate: number; perProcessMedian: number }>();
    try {
      for (const subject of subjects) {
        const runner = await openRunner(subject, `${prefix}${subject}:`);
        const { medianMs } = await measure(() => takes(runner, count), {
          warmup: 1,
          repetitions: quick ? 2 : 5,
        });
        await runner.close();
        single.set(subject, (count / medianMs) * 1000);
      }
      for (const subject of subjects) {
        const runs = [];
        for (let repetition = 0; repetition < (quick ? 1 : 3); repetition += 1) {
          runs.push(await fourProcesses(subject, `${prefix}${subject}-4:`, processCount));
        }
        runs.sort((a, b) => a.aggregate - b.aggregate);
        multi.set(subject, runs[Math.floor(runs.length / 2)]!);
      }
    } finally {
      await deletePrefix(prefix);
    }
    const redisSingle = single.get('bulwark-redis')!;
    const rlfSingle = single.get('rlf-redis')!;
    return {
      title: 'Rate-limit store: takes per second on Redis (@bulwark/ratelimit-redis)',
      method:
        `Sequential awaited operations (each one round trip to Redis on loopback, ${redisUrl.replace(/\/\/.*@/, '//')}), ` +
        `no pipelining. One process: ${formatNumber(count)} operations per repetition, median of ${quick ? 2 : 5}. ` +
        `Four processes: four child processes (node + tsx) warm up, start together on a signal, and run ` +
        `${formatNumber(processCount)} operations each against the same key; aggregate = all operations over the ` +
        `slowest process's time, median of ${quick ? 1 : 3} runs. The Bulwark take touches three buckets ` +
        '(requests, input and output tokens) with continuous refill; rate-limiter-flexible consumes one fixed-window ' +
        'counter. The memory store has no network and is not shared (each process has its own): it is the ceiling, not a peer. ' +
        'Redis is shared with whatever else runs on the machine.',
      peers: ['rate-limiter-flexible 11.4.0 (RateLimiterRedis, ioredis 6.0.0)'],
      tables: [
        {
          headers: [
            'store',
            '1 process: takes/s',
            '4 processes: takes/s (sum)',
            '4 processes: per process',
            'vs rate-limiter-flexible (1 process)',
          ],
          rows: subjects.map((subject) => [
            labels[subject],
            formatNumber(single.get(subject)!),
            formatNumber(multi.get(subject)!.aggregate),
            formatNumber(multi.get(subject)!.perProcessMedian),
            formatRatio(single.get(subject)!, rlfSingle),
          ]),
        },
      ],
      notes: [
        `Goal ≥ 5,000 takes/s per process on loopback: ${formatNumber(redisSingle)} measured, ${redisSingle >= 5_000 ? 'met' : 'missed'}.`,
        `Four processes on Redis: ${formatNumber(multi.get('bulwark-redis')!.aggregate)} takes/s together (Redis runs scripts one at a time; on a 2-core machine the four workers and Redis share the cores).`,
      ],
    };
  },
};

export default benchmark;
