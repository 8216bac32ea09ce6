import Anthropic from '@anthropic-ai/sdk';
import { createBus, emptyUsage, type Usage, usageFromApi } from '@bulwark/core';
import { createRateLimiter, type RateLimiter } from '@bulwark/ratelimit';
import { type MockServer, startMockServer } from '@bulwark/testing';
import PQueue from 'p-queue';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { type Benchmark, formatNumber, formatRatio, measure } from '../harness.js';

const model = 'claude-sonnet-4-5';

// ---- acquire + reconcile per second, in memory ----

const huge = { requestsPerMinute: 1e12, inputTokensPerMinute: 1e15, outputTokensPerMinute: 1e15 };
const reported: Usage = { ...emptyUsage(), inputTokens: 100, outputTokens: 80 };

async function bulwarkLoop(limiter: RateLimiter, operations: number): Promise<void> {
  for (let index = 0; index < operations; index += 1) {
    const reservation = await limiter.acquire({ model, inputTokens: 100, maxOutputTokens: 200 });
    reservation.reconcile(reported);
  }
}

/** rate-limiter-flexible with one limiter per bucket, plus a reward for unused output: the same work. */
async function flexibleThreeLoop(
  limiters: readonly [RateLimiterMemory, RateLimiterMemory, RateLimiterMemory],
  operations: number,
): Promise<void> {
  const [requests, input, output] = limiters;
  for (let index = 0; index < operations; index += 1) {
    await requests.consume('k', 1);
    await input.consume('k', 100);
    await output.consume('k', 100);
    await output.reward('k', 20);
  }
}

async function flexibleOneLoop(limiter: RateLimiterMemory, operations: number): Promise<void> {
  for (let index = 0; index < operations; index += 1) await limiter.consume('k', 1);
}

async function pQueueLoop(queue: PQueue, operations: number): Promise<void> {
  for (let index = 0; index < operations; index += 1) await queue.add(() => undefined);
}

async function throughput(quick: boolean) {
  const operations = quick ? 50_000 : 300_000;
  const repetitions = quick ? 3 : 7;
  const limiter = createRateLimiter({
    limits: huge,
    outputReservation: { fixedTokens: 100 },
    bus: createBus(),
  });
  const flexible = (points: number) => new RateLimiterMemory({ points, duration: 60 });
  const three = [flexible(1e12), flexible(1e15), flexible(1e15)] as const;
  const one = flexible(1e12);
  const queue = new PQueue({ concurrency: Number.POSITIVE_INFINITY });
  const rows: Array<[string, number]> = [];
  const run = async (name: string, task: () => Promise<void>) => {
    const { medianMs } = await measure(task, { warmup: 2, repetitions });
    rows.push([name, (operations / medianMs) * 1000]);
  };
  await run('@bulwark/ratelimit: acquire + reconcile, 3 buckets', () => bulwarkLoop(limiter, operations));
  await run('rate-limiter-flexible 11.4.0: 3 × consume + reward (3 buckets)', () =>
    flexibleThreeLoop(three, operations),
  );
  await run('rate-limiter-flexible 11.4.0: 1 × consume (1 bucket)', () => flexibleOneLoop(one, operations));
  await run('p-queue 9.3.5: add, awaited (no limit)', () => pQueueLoop(queue, operations));
  limiter.close();
  return { operations, repetitions, rows };
}

// ---- goodput against the mock server enforcing limits ----

const serverLimits = { requestsPerMinute: 180, inputTokensPerMinute: 11_500, outputTokensPerMinute: 7_000 };
const messages = [
  {
    role: 'user' as const,
    content:
      'Write two short sentences about the sea, the tides that move it twice a day, the boats that cross it ' +
      'at dawn, the birds that follow them home, and the light that changes over the water from grey to gold.',
  },
];

interface GoodputResult {
  completed: number;
  failed: number;
  answered429: number;
  wallMs: number;
  /** Share of what the binding bucket allowed over the run (burst + refill) that was used. */
  shareOfLimit: number;
  bindingBucket: string;
}

function summarise(server: MockServer, wallMs: number, completed: number, failed: number): GoodputResult {
  const seconds = wallMs / 1000;
  const allowed = (perMinute: number) => perMinute + (perMinute / 60) * seconds;
  const admitted = server.requests.filter((entry) => entry.status === 200);
  const shares: Array<[string, number]> = [
    ['requests', admitted.length / allowed(serverLimits.requestsPerMinute)],
    ['input tokens', server.stats.inputTokens / allowed(serverLimits.inputTokensPerMinute)],
    ['output tokens', server.stats.outputTokens / allowed(serverLimits.outputTokensPerMinute)],
  ];
  const [bindingBucket, shareOfLimit] = shares.reduce((best, next) => (next[1] > best[1] ? next : best));
  return {
    completed,
    failed,
    answered429: server.requests.filter((entry) => entry.status === 429).length,
    wallMs,
    shareOfLimit,
    bindingBucket,
  };
}

async function goodputThroughLimiter(server: MockServer, calls: number): Promise<GoodputResult> {
  const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
  const { input_tokens: inputTokens } = await client.messages.countTokens({ model, messages });
  server.reset();
  const limiter = createRateLimiter({ bus: createBus() });
  const started = performance.now();
  const call = async (requestId: string): Promise<void> => {
    for (;;) {
      const reservation = await limiter.acquire({ model, inputTokens, maxOutputTokens: 100, requestId });
      try {
        const { data, response } = await client.messages
          .create({ model, max_tokens: 100, messages })
          .withResponse();
        limiter.observe({ model, status: response.status, headers: response.headers, requestId });
        reservation.reconcile(usageFromApi(data.usage));
        return;
      } catch (error) {
        reservation.release();
        if (!(error instanceof Anthropic.APIError) || error.status !== 429) throw error;
        limiter.observe({
          model,
          status: 429,
          headers: error.headers,
          errorType: 'rate_limit_error',
          requestId,
        });
      }
    }
  };
  const outcomes = await Promise.allSettled(
    Array.from({ length: calls }, (_, index) => call(`call-${index}`)),
  );
  const wallMs = performance.now() - started;
  limiter.close();
  const completed = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  return summarise(server, wallMs, completed, calls - completed);
}

async function goodputBareSdk(server: MockServer, calls: number): Promise<GoodputResult> {
  // The SDK honours retry-after on 429; enough retries that every call can get through.
  const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 50 });
  server.reset();
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: calls }, () => client.messages.create({ model, max_tokens: 100, messages })),
  );
  const wallMs = performance.now() - started;
  const completed = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  return summarise(server, wallMs, completed, calls - completed);
}

async function goodput(quick: boolean) {
  const calls = quick ? 100 : 200;
  const server = await startMockServer({
    seed: 5,
    outputTokens: { min: 20, max: 60 },
    rateLimits: serverLimits,
  });
  try {
    const limited = await goodputThroughLimiter(server, calls);
    const bare = await goodputBareSdk(server, calls);
    return { calls, limited, bare };
  } finally {
    await server.close();
  }
}

const benchmark: Benchmark = {
  id: 'ratelimit',
  async run({ quick }) {
    const speed = await throughput(quick);
    const bulwarkRate = speed.rows[0]![1];
    const { calls, limited, bare } = await goodput(quick);
    const row = (name: string, result: GoodputResult) => [
      name,
      `${result.completed} / ${calls}`,
      formatNumber(result.answered429),
      `${formatNumber(result.shareOfLimit * 100, 1)} % (${result.bindingBucket})`,
      formatNumber(result.wallMs / 1000, 1),
    ];
    return {
      title: 'Rate limiting: admission speed and goodput',
      method:
        `Speed: ${formatNumber(speed.operations)} sequential awaited operations in one process, median of ` +
        `${speed.repetitions} runs after 2 warm-ups; for @bulwark/ratelimit one operation is acquire + reconcile ` +
        'over three in-memory buckets (requests, input and output tokens, limits far above the load), for ' +
        'rate-limiter-flexible the same work as three consumes and one reward, and for reference its single ' +
        'consume and an awaited p-queue add. Goodput: @bulwark/testing on loopback enforcing ' +
        `${serverLimits.requestsPerMinute} requests, ${formatNumber(serverLimits.inputTokensPerMinute)} input and ` +
        `${formatNumber(serverLimits.outputTokensPerMinute)} output tokens per minute; ${calls} non-streaming ` +
        'calls of the real SDK issued at once, (a) through createRateLimiter with no limits configured (learnt ' +
        'from headers), observe + reconcile wired, SDK retries off, and (b) the bare SDK with maxRetries 50 ' +
        'relying on retry-after. Share of limit = what the binding bucket counted / (its per-minute limit + its ' +
        'refill over the wall time).',
      peers: [
        'rate-limiter-flexible 11.4.0 (RateLimiterMemory)',
        'p-queue 9.3.5',
        '@anthropic-ai/sdk 1.12.0 retries',
      ],
      tables: [
        {
          headers: ['operation', 'ops/s', 'vs @bulwark/ratelimit'],
          rows: speed.rows.map(([name, rate]) => [name, formatNumber(rate), formatRatio(rate, bulwarkRate)]),
        },
        {
          headers: ['client', 'completed', '429 answers', 'share of limit used', 'wall time (s)'],
          rows: [row('@bulwark/ratelimit + SDK', limited), row('bare SDK (own retries)', bare)],
        },
      ],
      notes: [
        `acquire + reconcile: ${formatNumber(bulwarkRate)} ops/s (goal ≥ 1,000,000).`,
        `Goodput: the limiter used ${formatNumber(limited.shareOfLimit * 100, 1)} % of the binding limit with ` +
          `${limited.answered429} 429s; the bare SDK ${formatNumber(bare.shareOfLimit * 100, 1)} % with ` +
          `${bare.answered429} 429s and ${bare.failed} calls failed.`,
      ],
    };
  },
};

export default benchmark;
