/**
 * A rate-limited batch: 100 requests issued at once against limits far smaller than the batch.
 * The limiter reserves input and output tokens before each call, reconciles with real usage
 * after, follows the server's headers, and queues the rest; the live display shows requests
 * finishing and the bucket levels. Nearly no request should see a 429.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/rate-limited-batch.ts
 */
import { createClient } from 'bulwark';
import { openEnvironment } from './support/environment.js';
import { createLiveDisplay, renderTable } from './support/live-display.js';

const limits = { requestsPerMinute: 600, inputTokensPerMinute: 60_000, outputTokensPerMinute: 12_000 };
const environment = await openEnvironment({
  seed: 9,
  outputTokens: { min: 80, max: 200 },
  rateLimits: limits,
});
console.log(environment.describe());
console.log(
  `limits: ${limits.requestsPerMinute} RPM, ${limits.inputTokensPerMinute} ITPM, ${limits.outputTokensPerMinute} OTPM\n`,
);

// Offline the limits are known; against the real API they are learnt from the first response.
const client = createClient({ ...environment.clientOptions, ...(environment.offline ? { limits } : {}) });
const display = createLiveDisplay({ bus: client.bus, output: process.stdout, plainSummaryEveryMs: 2_000 });
const started = Date.now();

try {
  const results = await Promise.allSettled(
    Array.from({ length: 100 }, (_, index) =>
      client.getCompletion(`Item ${index + 1}: give one short fact about rate limits.`, { maxTokens: 256 }),
    ),
  );
  display.stop();
  const seconds = (Date.now() - started) / 1000;
  const totals = display.totals();
  const failures = results.filter((result) => result.status === 'rejected');
  const outputTokens = Object.values(client.usage()).reduce(
    (sum, model) => sum + model.usage.outputTokens,
    0,
  );
  console.log(
    `\n${renderTable(
      ['batch', 'value'],
      [
        ['completed', String(results.length - failures.length)],
        ['failed', String(failures.length)],
        ['429s seen', String(totals.rateLimited)],
        ['output tokens', String(outputTokens)],
        ['wall time', `${seconds.toFixed(1)} s`],
        [
          // The output bucket starts full and refills at limit / 60 per second: that is the allowance.
          'share of the output-token allowance used',
          `${Math.round((outputTokens / (limits.outputTokensPerMinute * (1 + seconds / 60))) * 100)} %`,
        ],
      ],
    )}`,
  );
  if (environment.server) console.log(`server 429s: ${environment.server.stats.rateLimited}`);
  if (failures.length > 0) process.exitCode = 1;
} finally {
  display.stop();
  await client.close();
  await environment.close();
}
