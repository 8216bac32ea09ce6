// Collects the results of one ended batch from a mock server and reports what it read and the
// process's peak RSS (sampled at every result and every 5 ms), as one JSON line on stdout.
// argv[2]: JSON { mode, url, batchId, requests }. Modes: `bulwark` (a createBatchRunner job
// that submits the requests itself), `sdk` (the SDK's results() iterator), `text` (fetch the
// results_url whole, split it into lines, parse each: what a hand-rolled script does).
import Anthropic from '@anthropic-ai/sdk';
import { createBatchRunner } from '@bulwark/batches';

const { mode, url, batchId, requests } = JSON.parse(process.argv[2]);
let peakRss = process.memoryUsage().rss;
const startRss = peakRss;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 5);
const client = new Anthropic({ apiKey: 'bench-key', baseURL: url, maxRetries: 0 });
let results = 0;
let textBytes = 0;
const count = (result) => {
  results += 1;
  if (result.result.type === 'succeeded') {
    for (const block of result.result.message.content)
      if (block.type === 'text') textBytes += block.text.length;
  }
  sample();
};
const started = performance.now();
if (mode === 'bulwark') {
  const runner = createBatchRunner({ client, pollIntervalMs: 10, maxPollIntervalMs: 20 });
  const batchRequests = Array.from({ length: requests }, (_, index) => ({
    custom_id: `large-${index}`,
    params: {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: [{ role: 'user', content: `Item ${index}.` }],
    },
  }));
  for await (const result of runner.run(batchRequests, { jobId: 'bench-large' })) count(result);
} else if (mode === 'sdk') {
  for await (const result of await client.messages.batches.results(batchId)) count(result);
} else {
  const batch = await client.messages.batches.retrieve(batchId);
  const text = await (await fetch(batch.results_url)).text();
  for (const line of text.split('\n')) if (line) count(JSON.parse(line));
}
const ms = performance.now() - started;
clearInterval(sampler);
sample();
const megabytes = (bytes) => bytes / 1024 / 1024;
process.stdout.write(
  `${JSON.stringify({ results, textBytes, ms, startRssMb: megabytes(startRss), peakRssMb: megabytes(peakRss) })}\n`,
);
