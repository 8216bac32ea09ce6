// The work each runtime does with the built packages, through their public entries only. Every
// step is caught on its own, so one failing step still lets the others report; the Node test
// decides what counts as right.
import Anthropic from '@anthropic-ai/sdk';
import { createBatchRunner } from '@bulwark/batches';
import { type BucketLevels, createManualClock, usageFromApi } from '@bulwark/core';
import { createRateLimiter } from '@bulwark/ratelimit';
import { createStreamingClient } from '@bulwark/stream';
import { createTokenEstimator } from '@bulwark/tokens';
import { createClient } from 'bulwark';
import {
  batchRequests,
  limiterScenario,
  model,
  plainRequest,
  sampleText,
  streamedRequest,
} from './scenario.js';

/** A step's result, or why it failed (the error's name, message, stack and causes). */
export type Outcome<T> = { ok: true; ms: number; value: T } | { ok: false; ms: number; error: string };

/** Texts of one non-streamed and one streamed request, and the streamed one as `onText` saw it. */
export interface Answers {
  plain: string;
  streamed: string;
  streamedPieces: string;
}

export interface ProbeReport {
  runtime: { name: string; version: string };
  /** `@bulwark/tokens`: counts of `sampleText` under both encodings, and the estimator's status. */
  tokens: Outcome<{ cl100k: number; o200k: number; status: string }>;
  /** `@bulwark/ratelimit` around a direct SDK call: what was held, the usage, the levels after. */
  rateLimit: Outcome<{ heldInputTokens: number; text: string; usage: Anthropic.Usage; levels: BucketLevels }>;
  /** `@bulwark/stream`'s `createStreamingClient`. */
  stream: Outcome<Answers>;
  /** The bundle's `createClient`, from `bulwark`'s main entry. */
  bundle: Outcome<Answers & { countTokens: number }>;
  /** `@bulwark/batches`: a job through the mock's batch endpoints, its texts by `custom_id` and counts. */
  batches: Outcome<{ texts: Record<string, string>; succeeded: number; batchIds: number }>;
}

const apiKey = 'runtime-probe-key';

/** Which runtime this is, from the globals each one defines. */
function identifyRuntime(): ProbeReport['runtime'] {
  const globals = globalThis as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
    navigator?: { userAgent?: string };
    process?: { versions?: { node?: string } };
  };
  if (globals.Deno) return { name: 'deno', version: globals.Deno.version.deno };
  if (globals.Bun) return { name: 'bun', version: globals.Bun.version };
  if (globals.navigator?.userAgent === 'Cloudflare-Workers') return { name: 'workerd', version: '' };
  return { name: 'node', version: globals.process?.versions?.node ?? '' };
}

/** An error with its causes, as text the test can show. */
function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth += 1) {
    lines.push(
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current),
    );
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) lines.push('caused by:');
  }
  return lines.join('\n');
}

async function step<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  const started = Date.now();
  try {
    const value = await run();
    return { ok: true, ms: Date.now() - started, value };
  } catch (error) {
    // Reported, not swallowed: the test fails on it and prints this text.
    return { ok: false, ms: Date.now() - started, error: describeError(error) };
  }
}

/** The text blocks of a message, joined. */
function textOf(message: Anthropic.Message): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

async function countTokens(): Promise<{ cl100k: number; o200k: number; status: string }> {
  const cl100k = createTokenEstimator();
  const o200k = createTokenEstimator({ encoding: 'o200k_base' });
  const counts = { cl100k: await cl100k.countTokens(sampleText), o200k: await o200k.countTokens(sampleText) };
  // `fast` would mean an encoding failed to load and the heuristic answered instead.
  const status = cl100k.status === o200k.status ? cl100k.status : `${cl100k.status}/${o200k.status}`;
  return { ...counts, status };
}

/** `acquire` before a direct SDK call and `reconcile` with its usage, on a clock that stands still. */
async function admitThroughRateLimiter(baseURL: string) {
  const limiter = createRateLimiter({ limits: limiterScenario.limits, clock: createManualClock() });
  const estimator = createTokenEstimator();
  const client = new Anthropic({ apiKey, baseURL, maxRetries: 0 });
  try {
    const heldInputTokens = (await estimator.estimateRequest(plainRequest)).inputTokens;
    const reservation = await limiter.acquire({
      model,
      inputTokens: heldInputTokens,
      maxOutputTokens: limiterScenario.maxOutputTokens,
    });
    const message = await client.messages.create(plainRequest).catch((error: unknown) => {
      reservation.release(); // the call never reached the model: give everything back
      throw error;
    });
    reservation.reconcile(usageFromApi(message.usage));
    const { levels } = await limiter.levels(model);
    return { heldInputTokens, text: textOf(message), usage: message.usage, levels };
  } finally {
    await limiter.close();
  }
}

async function streamingClientAnswers(baseURL: string): Promise<Answers> {
  const streaming = createStreamingClient({ client: new Anthropic({ apiKey, baseURL }) });
  const plain = textOf(await streaming.createMessage(plainRequest));
  let streamedPieces = '';
  const streamed = textOf(
    await streaming.createMessage(streamedRequest, { onText: (piece) => (streamedPieces += piece) }),
  );
  return { plain, streamed, streamedPieces };
}

async function bundleAnswers(baseURL: string): Promise<Answers & { countTokens: number }> {
  const client = createClient({ apiKey, baseURL });
  try {
    const countTokens = await client.countTokens(sampleText);
    const plain = textOf(await client.createMessage(plainRequest));
    let streamedPieces = '';
    const streamed = textOf(
      await client.createMessage(streamedRequest, { onText: (piece) => (streamedPieces += piece) }),
    );
    return { countTokens, plain, streamed, streamedPieces };
  } finally {
    await client.close();
  }
}

/** A job of `createBatchRunner`: submit, poll, stream the results file, on the runtime's own timers. */
async function batchJob(baseURL: string) {
  const runner = createBatchRunner({ apiKey, baseURL, pollIntervalMs: 5, maxPollIntervalMs: 20 });
  const job = runner.run(batchRequests, { jobId: 'runtime-probe' });
  const texts: Record<string, string> = {};
  for await (const { custom_id, result } of job) {
    texts[custom_id] = result.type === 'succeeded' ? textOf(result.message) : `(${result.type})`;
  }
  const summary = await job.summary();
  return { texts, succeeded: summary.results.succeeded, batchIds: summary.batchIds.length };
}

/** Runs every step against the mock server at `baseURL`, one after the other. */
export async function runProbe(baseURL: string): Promise<ProbeReport> {
  return {
    runtime: identifyRuntime(),
    tokens: await step(countTokens),
    rateLimit: await step(() => admitThroughRateLimiter(baseURL)),
    stream: await step(() => streamingClientAnswers(baseURL)),
    bundle: await step(() => bundleAnswers(baseURL)),
    batches: await step(() => batchJob(baseURL)),
  };
}
