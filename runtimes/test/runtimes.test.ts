import { type MockServer, startMockServer } from '@bulwark/testing';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome, ProbeReport } from '../src/probe.js';
import {
  batchRequests,
  limiterScenario,
  plainRequest,
  sampleText,
  streamedRequest,
} from '../src/scenario.js';
import { type BuiltProbe, buildProbe } from './probe-build.js';
import { type RuntimeRun, runtimes } from './runtimes.js';

/** The reference counts: js-tiktoken itself, which `@bulwark/tokens` must equal exactly. */
const expectedTokens = {
  cl100k: new Tiktoken(cl100kBase).encode(sampleText, [], []).length,
  o200k: new Tiktoken(o200kBase).encode(sampleText, [], []).length,
};

let probe: BuiltProbe;
beforeAll(async () => {
  probe = await buildProbe();
});

/** The report, or a failure that shows everything the runtime printed. */
function reportOf(run: RuntimeRun): ProbeReport {
  if (!run.report) throw new Error(`the runtime gave no report\n${run.output}`);
  return run.report;
}

/** A step's value, or a failure with the step's error as the runtime described it. */
function stepValue<T>(run: RuntimeRun, outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`the step failed in the runtime:\n${outcome.error}\n\n${run.output}`);
  return outcome.value;
}

describe.each(runtimes.map((runtime) => [runtime.name, runtime] as const))('%s', (_name, runtime) => {
  let server: MockServer;
  let run: RuntimeRun;

  beforeAll(async () => {
    server = await startMockServer({ seed: 12 });
    run = await runtime.run(probe, server.url);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('runs the probe (the report says which runtime ran it)', () => {
    expect(reportOf(run).runtime.name, run.output).toBe(runtime.name);
  });

  it('@bulwark/tokens counts exactly under both encodings (no fallback to the heuristic)', () => {
    const tokens = stepValue(run, reportOf(run).tokens);
    expect(tokens).toEqual({ ...expectedTokens, status: 'exact' });
  });

  it('@bulwark/ratelimit admits a real SDK call and reconciles it with the usage', () => {
    const result = stepValue(run, reportOf(run).rateLimit);
    const { limits } = limiterScenario;
    const inputCharged = result.usage.input_tokens + (result.usage.cache_creation_input_tokens ?? 0);
    expect(result.text).toBe(server.expectedText(plainRequest));
    expect(result.heldInputTokens).toBeGreaterThan(0);
    // The clock stands still in the probe: the levels are the limits minus exactly the real usage.
    expect(result.levels).toEqual({
      requests: { available: limits.requestsPerMinute - 1, capacity: limits.requestsPerMinute },
      inputTokens: {
        available: limits.inputTokensPerMinute - inputCharged,
        capacity: limits.inputTokensPerMinute,
      },
      outputTokens: {
        available: limits.outputTokensPerMinute - result.usage.output_tokens,
        capacity: limits.outputTokensPerMinute,
      },
    });
  });

  it("@bulwark/stream's createStreamingClient answers a plain and a streamed request with the mock's text", () => {
    const answers = stepValue(run, reportOf(run).stream);
    expect(answers.plain).toBe(server.expectedText(plainRequest));
    expect(answers.streamed).toBe(server.expectedText(streamedRequest));
    expect(answers.streamedPieces).toBe(answers.streamed);
  });

  it("bulwark's createClient counts tokens and answers a plain and a streamed request", () => {
    const answers = stepValue(run, reportOf(run).bundle);
    expect(answers.countTokens).toBe(expectedTokens.cl100k);
    expect(answers.plain).toBe(server.expectedText(plainRequest));
    expect(answers.streamed).toBe(server.expectedText(streamedRequest));
    expect(answers.streamedPieces).toBe(answers.streamed);
  });

  it("@bulwark/batches' createBatchRunner runs a job through the batch endpoints, each answer the mock's text", () => {
    const job = stepValue(run, reportOf(run).batches);
    expect(job).toEqual({
      texts: Object.fromEntries(
        batchRequests.map(({ custom_id, params }) => [custom_id, server.expectedText(params)]),
      ),
      succeeded: batchRequests.length,
      batchIds: 1,
    });
    const created = server.requests.filter(
      (entry) => entry.method === 'POST' && entry.path === '/v1/messages/batches',
    );
    expect(created.map((entry) => entry.status)).toEqual([200]);
  });

  it('reaches the mock server over loopback: streamed only where max_tokens asks for it, all answered 200', () => {
    reportOf(run);
    const calls = server.requests
      .filter((entry) => entry.path === '/v1/messages')
      .map(({ stream, status }) => ({ stream, status }));
    const plain = { stream: false, status: 200 };
    const streamed = { stream: true, status: 200 };
    // The limiter's direct SDK call, then createStreamingClient's two, then createClient's two.
    expect(calls, run.output).toEqual([plain, plain, streamed, plain, streamed]);
  });
});
