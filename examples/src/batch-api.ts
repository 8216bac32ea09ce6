/**
 * Bulk work through the Message Batches API: half the price, and limits of its own, so it never
 * competes with the per-minute path. 300 requests are split into batches of at most 100, polled
 * with backoff, and their results read as a stream as each batch ends. Requests whose result is
 * worth another try (an `overloaded_error`, an expired request) go into a new batch; an
 * `invalid_request_error` is reported as it is. Offline, the mock injects those three faults.
 *
 * Give the runner a `store` (the disk store of @bulwark/files, or Redis) and the job survives
 * its process: run it again with the same `jobId` and it picks up the batches already submitted.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/batch-api.ts
 */
import { type BatchRequest, batchErrorTypeOf, createBatchRunner } from '@bulwark/batches';
import { costOfUsage, priceOf } from '@bulwark/core';
import { openEnvironment } from './support/environment.js';

const model = 'claude-haiku-4-5';
const environment = await openEnvironment({
  seed: 4,
  outputTokens: { min: 20, max: 80 },
  batches: {
    requestsPerSecond: 500,
    faults: {
      byCustomId: {
        'question-7': { kind: 'errored', errorType: 'overloaded_error' },
        'question-142': { kind: 'expired' },
        'question-299': {
          kind: 'errored',
          errorType: 'invalid_request_error',
          message: 'prompt is too long',
        },
      },
    },
  },
});
console.log(environment.describe());

// Offline the mock processes in about a second; a real batch takes minutes to hours.
const runner = createBatchRunner({
  ...environment.clientOptions,
  pollIntervalMs: environment.offline ? 200 : 10_000,
  maxPollIntervalMs: environment.offline ? 400 : 60_000,
});
runner.bus.on('batch:submitted', (event) =>
  console.log(`submitted ${event.batchId}: ${event.requestCount} requests (round ${event.round})`),
);
runner.bus.on('batch:ended', (event) => {
  const { succeeded, errored, expired, canceled } = event.requestCounts;
  console.log(
    `ended ${event.batchId}: ${succeeded} succeeded, ${errored} errored, ${expired} expired, ${canceled} canceled`,
  );
});
runner.bus.on('batch:retrying', (event) =>
  console.log(
    `resubmitting ${event.requestCount} requests (${event.errored} errored, ${event.expired} expired)`,
  ),
);

const requests: BatchRequest[] = Array.from({ length: 300 }, (_, index) => ({
  custom_id: `question-${index}`,
  params: {
    model,
    max_tokens: 200,
    messages: [
      { role: 'user', content: `Question ${index + 1}: name one prime number above ${index * 10}.` },
    ],
  },
}));

const job = runner.run(requests, { jobId: 'examples-batch-api', maxBatchRequests: 100 });
let answered = 0;
for await (const result of job) {
  if (result.result.type === 'succeeded') answered += 1;
  else
    console.log(
      `${result.custom_id}: ${result.result.type} (${batchErrorTypeOf(result) ?? 'no error type'})`,
    );
}

const summary = await job.summary();
const { succeeded, errored, expired, canceled } = summary.results;
console.log(
  `\n${summary.requests} results: ${succeeded} succeeded, ${errored} errored, ${expired} expired, ${canceled} canceled`,
);
console.log(
  `answers delivered: ${answered}; resubmitted: ${summary.resubmitted}; batches: ${summary.batchIds.length}`,
);
console.log(`tokens: ${summary.usage.inputTokens} input + ${summary.usage.outputTokens} output`);
const listPrice = costOfUsage(summary.usage, priceOf(model)!);
if (summary.costUsd !== undefined) {
  console.log(
    `cost at batch prices: $${summary.costUsd.toFixed(6)} (list price $${listPrice.toFixed(6)}, ${(summary.costUsd / listPrice).toFixed(2)}×)`,
  );
}
await environment.close();
