/**
 * Collects one job's results and reports what it read and its resident memory before the job
 * and at its peak (sampled at every result and every few milliseconds), as one JSON line:
 * `{ results, textBytes, startRssMb, peakRssMb }`. Run with a small `--max-old-space-size`, so
 * that holding the results file would crash it.
 */
import Anthropic from '@anthropic-ai/sdk';
import { createBatchRunner } from '../index.js';
import { requestsFor } from './requests.js';

const { MOCK_URL, REQUESTS } = process.env;
const startRss = process.memoryUsage().rss;
let peakRss = startRss;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 5);

const runner = createBatchRunner({
  client: new Anthropic({ apiKey: 'test-key', baseURL: MOCK_URL, maxRetries: 0 }),
  pollIntervalMs: 10,
  maxPollIntervalMs: 20,
});
let results = 0;
let textBytes = 0;
for await (const result of runner.run(requestsFor(Number(REQUESTS)), { jobId: 'large' })) {
  results += 1;
  if (result.result.type === 'succeeded') {
    for (const block of result.result.message.content)
      if (block.type === 'text') textBytes += block.text.length;
  }
  sample();
}
clearInterval(sampler);
sample();
const megabytes = (bytes: number) => bytes / 1024 / 1024;
process.stdout.write(
  `${JSON.stringify({ results, textBytes, startRssMb: megabytes(startRss), peakRssMb: megabytes(peakRss) })}\n`,
);
