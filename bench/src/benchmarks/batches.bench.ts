import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { createBatchRunner } from '@bulwark/batches';
import type { Clock } from '@bulwark/core';
import { startMockServer } from '@bulwark/testing';
import { createClient } from 'bulwark';
import { type Benchmark, formatNumber, formatRatio } from '../harness.js';

const runFile = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const benchDirectory = join(here, '..', '..');
const model = 'claude-sonnet-4-6';
const limits = { requestsPerMinute: 1_000, inputTokensPerMinute: 400_000, outputTokensPerMinute: 80_000 };
const serverOptions = { seed: 11, outputTokens: { min: 20, max: 60 } };
/** Simulated seconds per real second: limits of a minute and batch polling pass quickly. */
const timeWarp = 60;

const params = (index: number) => ({
  model,
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: `Classify ticket ${index + 1} in one word.` }],
});

/** Simulated time: `factor` times faster than the system clock, for the mock and the client alike. */
function createWarpedClock(factor: number): Clock & { elapsedMs(): number } {
  const startedAt = Date.now();
  const origin = Date.UTC(2026, 10, 2);
  return {
    now: () => origin + (Date.now() - startedAt) * factor,
    setTimeout(callback, delayMs) {
      const handle = setTimeout(callback, Math.max(0, delayMs) / factor);
      return { cancel: () => clearTimeout(handle) };
    },
    elapsedMs: () => (Date.now() - startedAt) * factor,
  };
}

interface PathOutcome {
  completed: number;
  apiCalls: number;
  rateLimited: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  simulatedMinutes: number;
  wallSeconds: number;
}

/** The synchronous path: createClient under enforced limits, every request at once. */
async function synchronousPath(count: number): Promise<PathOutcome> {
  const clock = createWarpedClock(timeWarp);
  const server = await startMockServer({ ...serverOptions, clock, rateLimits: limits });
  const client = createClient({
    apiKey: 'bench-key',
    baseURL: server.url,
    clock,
    limits,
    stallTimeoutMs: Number.POSITIVE_INFINITY,
    progressIntervalMs: Number.POSITIVE_INFINITY,
  });
  const started = performance.now();
  try {
    const outcomes = await Promise.allSettled(
      Array.from({ length: count }, (_, index) => client.createMessage(params(index))),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) console.error(`synchronous path: ${String(failure.reason)}`);
    const totals = client.usage()[model];
    return {
      completed: outcomes.filter((outcome) => outcome.status === 'fulfilled').length,
      apiCalls: server.requests.length,
      rateLimited: server.requests.filter((entry) => entry.status === 429).length,
      inputTokens: totals?.usage.inputTokens ?? 0,
      outputTokens: totals?.usage.outputTokens ?? 0,
      costUsd: totals?.costUsd ?? Number.NaN,
      simulatedMinutes: clock.elapsedMs() / 60_000,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.close();
    await server.close();
  }
}

/** The batch path: one createBatchRunner job, the mock processing 100 requests per second. */
async function batchPath(count: number): Promise<PathOutcome> {
  const clock = createWarpedClock(timeWarp);
  const server = await startMockServer({ ...serverOptions, clock, batches: { requestsPerSecond: 100 } });
  const client = new Anthropic({ apiKey: 'bench-key', baseURL: server.url, maxRetries: 0 });
  const runner = createBatchRunner({ client, clock, pollIntervalMs: 10_000, maxPollIntervalMs: 60_000 });
  const started = performance.now();
  try {
    const requests = Array.from({ length: count }, (_, index) => ({
      custom_id: `t-${index}`,
      params: params(index),
    }));
    const job = runner.run(requests, { jobId: 'bench' });
    let completed = 0;
    for await (const result of job) if (result.result.type === 'succeeded') completed += 1;
    const summary = await job.summary();
    return {
      completed,
      apiCalls: server.requests.length,
      rateLimited: server.requests.filter((entry) => entry.status === 429).length,
      inputTokens: summary.usage.inputTokens,
      outputTokens: summary.usage.outputTokens,
      costUsd: summary.costUsd ?? Number.NaN,
      simulatedMinutes: clock.elapsedMs() / 60_000,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await server.close();
  }
}

interface CollectReport {
  results: number;
  textBytes: number;
  ms: number;
  startRssMb: number;
  peakRssMb: number;
}

async function collectInChild(request: Record<string, unknown>): Promise<CollectReport> {
  const { stdout } = await runFile(
    process.execPath,
    [join(here, 'batches-child.mjs'), JSON.stringify(request)],
    {
      cwd: benchDirectory,
    },
  );
  return JSON.parse(stdout) as CollectReport;
}

/** Peak RSS of three ways to read the same 200 MB results file, each in a fresh process. */
async function collectLargeResults(requests: number, paddingBytes: number) {
  const server = await startMockServer({
    ...serverOptions,
    outputTokens: { min: 3, max: 6 },
    batches: { requestsPerSecond: 1_000_000, resultPaddingBytes: paddingBytes },
  });
  try {
    const client = new Anthropic({ apiKey: 'bench-key', baseURL: server.url, maxRetries: 0 });
    const batch = await client.messages.batches.create({
      requests: Array.from({ length: requests }, (_, index) => ({
        custom_id: `large-${index}`,
        params: { model, max_tokens: 64, messages: [{ role: 'user' as const, content: `Item ${index}.` }] },
      })),
    });
    while ((await client.messages.batches.retrieve(batch.id)).processing_status !== 'ended') {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const common = { url: server.url, batchId: batch.id, requests };
    return {
      bulwark: await collectInChild({ ...common, mode: 'bulwark' }),
      sdk: await collectInChild({ ...common, mode: 'sdk' }),
      text: await collectInChild({ ...common, mode: 'text' }),
    };
  } finally {
    await server.close();
  }
}

const benchmark: Benchmark = {
  id: 'batches',
  async run({ quick }) {
    const count = quick ? 2_000 : 10_000;
    const synchronous = await synchronousPath(count);
    const batched = await batchPath(count);
    const largeRequests = quick ? 500 : 2_000;
    const paddingBytes = 105_000;
    const large = await collectLargeResults(largeRequests, paddingBytes);
    const fileMb = (large.bulwark.textBytes / 1024 / 1024).toFixed(0);
    const pathRow = (name: string, outcome: PathOutcome) => [
      name,
      `${formatNumber(outcome.completed)} / ${formatNumber(count)}`,
      formatNumber(outcome.apiCalls),
      formatNumber(outcome.rateLimited),
      `${formatNumber(outcome.inputTokens)} in + ${formatNumber(outcome.outputTokens)} out`,
      `$${outcome.costUsd.toFixed(4)}`,
      formatRatio(outcome.costUsd, synchronous.costUsd),
      `${formatNumber(outcome.simulatedMinutes, 1)} min`,
      `${outcome.wallSeconds.toFixed(1)} s`,
    ];
    const collectRow = (name: string, report: CollectReport) => [
      name,
      formatNumber(report.results),
      `${formatNumber(report.startRssMb)} MB`,
      `${formatNumber(report.peakRssMb)} MB`,
      formatRatio(report.peakRssMb, large.bulwark.peakRssMb),
      `${(report.ms / 1000).toFixed(1)} s`,
    ];
    return {
      title: 'Batches: the Message Batches path vs the synchronous path, and collecting a large results file',
      method: `The same ${formatNumber(count)} requests (${model}, max_tokens 100, answers of 20–60 tokens, seed ${serverOptions.seed}) through the synchronous path (bulwark createClient, every request issued at once, against @bulwark/testing enforcing ${formatNumber(limits.requestsPerMinute)} RPM / ${formatNumber(limits.inputTokensPerMinute)} ITPM / ${formatNumber(limits.outputTokensPerMinute)} OTPM) and through the batch path (@bulwark/batches createBatchRunner, default limits of 100,000 requests per batch, polling from 10 s backing off to 60 s, the mock processing 100 requests per second). Both run on a clock ${timeWarp} times faster than real time, shared by the mock and the client, so "simulated time" is what the limits, the processing and the polling would take (network time included, ×${timeWarp}), and wall time is what the machine spent. Cost: list prices from core's price table for the synchronous path, batch prices (50 %) for the batch path, from the same token counts. API calls: every HTTP request the server received (429s included). Collecting: ${formatNumber(largeRequests)} results of about ${formatNumber(paddingBytes)} bytes each (${fileMb} MB of text; the mock's test-only \`resultPaddingBytes\`), each reader in a fresh Node process running the built packages, peak RSS sampled every 5 ms and at every result.`,
      peers: [
        '@anthropic-ai/sdk 1.12.0 messages.batches.results() (its own JSONL stream)',
        'fetch(results_url).text() split into lines (a hand-rolled script)',
      ],
      tables: [
        {
          headers: [
            'path',
            'completed',
            'API calls',
            '429s',
            'tokens',
            'cost',
            'cost ratio',
            'simulated time',
            'wall time',
          ],
          rows: [
            pathRow('synchronous (createClient)', synchronous),
            pathRow('batches (createBatchRunner)', batched),
          ],
        },
        {
          headers: ['reader', 'results', 'RSS before', 'peak RSS', 'ratio', 'time'],
          rows: [
            collectRow('@bulwark/batches run()', large.bulwark),
            collectRow('SDK results()', large.sdk),
            collectRow('fetch().text()', large.text),
          ],
        },
      ],
      notes: [
        `Cost ratio ${formatRatio(batched.costUsd, synchronous.costUsd)} (goal 0.5×) for the same tokens (${batched.inputTokens === synchronous.inputTokens && batched.outputTokens === synchronous.outputTokens ? 'identical' : 'different'} input and output counts on both paths); ${formatNumber(synchronous.apiCalls)} API calls on the synchronous path vs ${formatNumber(batched.apiCalls)} on the batch path.`,
        `Peak RSS while collecting ${fileMb} MB of results: ${formatNumber(large.bulwark.peakRssMb)} MB (goal < 150 MB), of which ${formatNumber(large.bulwark.startRssMb)} MB before the job started; the SDK's own results() iterator peaks at ${formatNumber(large.sdk.peakRssMb)} MB on the same file. The runner takes the results body through the SDK (client.get(results_url).asResponse()) and splits it into lines itself, joining each line's pieces once; the SDK's decoder copies its growing byte buffer at every chunk.`,
      ],
    };
  },
};

export default benchmark;
