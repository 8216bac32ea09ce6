/**
 * The demo (`pnpm demo`): 20 long generations of up to 8,000 tokens through enforced rate
 * limits, with faults injected on the way — a 429, a 529, a dropped stream, a stalled stream,
 * a mid-stream overloaded_error and a stream closed without message_stop — shown live, and a
 * summary at the end. Offline, against `@bulwark/testing`, unless run with `--online` and an
 * `ANTHROPIC_API_KEY` (which costs real tokens). With `--dashboard`, also serves the live dashboard
 * and prints its URL. Exit code 0 when every request completed.
 */
import { createClient } from 'bulwark/node';
import { type ExampleEnvironment, openEnvironment } from './support/environment.js';
import { createLiveDisplay, renderTable } from './support/live-display.js';

const requestCount = 20;
const maxTokens = 8_000;
const model = 'claude-sonnet-4-6';
const limits = { requestsPerMinute: 300, inputTokensPerMinute: 100_000, outputTokensPerMinute: 90_000 };
const online = process.argv.includes('--online') && Boolean(process.env.ANTHROPIC_API_KEY);
const withDashboard = process.argv.includes('--dashboard');

let environment: ExampleEnvironment;
if (online) {
  environment = await openEnvironment();
} else {
  const { ANTHROPIC_API_KEY: _ignored, ...rest } = process.env;
  process.env = rest;
  environment = await openEnvironment({
    seed: 2026,
    outputTokens: { min: 2_000, max: maxTokens },
    tokensPerSecond: 800,
    pingIntervalMs: 500,
    rateLimits: limits,
    faults: {
      // Keyed by the order requests reach the server; retries arrive later and pass.
      schedule: {
        2: { kind: 'status', status: 429, retryAfterSeconds: 1 },
        4: { kind: 'status', status: 529 },
        7: { kind: 'drop', afterEvents: 1_200 },
        10: { kind: 'stall', afterEvents: 900, durationMs: 120_000 },
        13: { kind: 'error_event', afterEvents: 1_500, errorType: 'overloaded_error' },
        16: { kind: 'close_without_stop', afterEvents: 2_000 },
      },
    },
  });
}

console.log('Bulwark demo');
console.log(environment.describe());
console.log(
  `${requestCount} requests of up to ${maxTokens} tokens; limits ${limits.requestsPerMinute} RPM, ${limits.inputTokensPerMinute} ITPM, ${limits.outputTokensPerMinute} OTPM${online ? ' (learnt from headers online)' : ''}; faults: 429, 529, dropped stream, stall, overloaded_error, close without message_stop\n`,
);

const client = createClient({
  ...environment.clientOptions,
  ...(online ? {} : { limits }),
  stallTimeoutMs: 2_500,
  ...(withDashboard ? { dashboard: { port: 0, title: 'Bulwark demo' } } : {}),
  progressIntervalMs: 250,
  retry: { initialRetryDelayMs: 250, maxRetryDelayMs: 4_000 },
});
if (withDashboard) console.log(`Dashboard: ${await client.dashboardUrl()}\n`);
const labels = new Map<string, string>();
const display = createLiveDisplay({
  bus: client.bus,
  output: process.stdout,
  labelOf: (requestId) => labels.get(requestId) ?? requestId.slice(-6),
});
const startedAt = Date.now();

let results: Array<PromiseSettledResult<unknown>> = [];
try {
  results = await Promise.allSettled(
    Array.from({ length: requestCount }, (_, index) => {
      const requestId = `demo_${String(index + 1).padStart(2, '0')}`;
      labels.set(requestId, `#${index + 1}`);
      return client.createMessage(
        {
          model,
          max_tokens: maxTokens,
          messages: [
            { role: 'user', content: `Write chapter ${index + 1} of a long novel about a lighthouse.` },
          ],
        },
        { requestId },
      );
    }),
  );
} finally {
  display.stop();
}
const seconds = (Date.now() - startedAt) / 1000;

const usage = client.usage()[model];
const failed = results.filter((result) => result.status === 'rejected');
const outputTokens = usage?.usage.outputTokens ?? 0;
// What the output-token bucket allowed over the run: full at the start, refilled per second.
const outputAllowance = limits.outputTokensPerMinute + (limits.outputTokensPerMinute / 60) * seconds;
const rows: string[][] = [
  ['completed', `${results.length - failed.length} of ${results.length}`],
  ['failed', String(failed.length)],
  ['retries (resumes included)', String(usage?.retries ?? 0)],
  ['resumes', String(usage?.resumes ?? 0)],
  ['stalls detected', String(usage?.stalls ?? 0)],
  ['429s seen', String(usage?.rateLimited ?? 0)],
  ['output tokens generated', String(outputTokens)],
  ['output tokens kept by resuming', String(usage?.outputTokensKeptByResume ?? 0)],
  ['wall time', `${seconds.toFixed(1)} s`],
];
if (!online) {
  rows.push([
    'share of the output-token limit used',
    `${Math.round((outputTokens / outputAllowance) * 100)} %`,
  ]);
  rows.push(['429s from the server buckets', String(environment.server?.stats.rateLimited ?? 0)]);
}
console.log(`\n${renderTable(['summary', 'value'], rows)}`);
for (const failure of failed) {
  console.log(`failed: ${(failure as PromiseRejectedResult).reason}`);
}

await client.close();
await environment.close();
process.exitCode = failed.length === 0 ? 0 : 1;
