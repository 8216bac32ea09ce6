/**
 * One worker process of the multi-process test: `node --import tsx limiter-worker.ts` with its
 * job as JSON in BULWARK_WORKER_JOB. It makes `count` calls through a rate limiter on the
 * shared Redis store, following headers and 429s like a real client, and prints a JSON summary
 * as its last line.
 */
import Anthropic from '@anthropic-ai/sdk';
import { usageFromApi } from '@bulwark/core';
import { createRateLimiter, type RateLimits } from '@bulwark/ratelimit';
import { createRedisStore } from '../redis-store.js';

interface WorkerJob {
  redisUrl: string;
  prefix: string;
  namespace: string;
  serverUrl: string;
  model: string;
  count: number;
  inputTokens: number;
  maxTokens: number;
  limits: RateLimits;
}

const job = JSON.parse(process.env.BULWARK_WORKER_JOB ?? '{}') as WorkerJob;
const store = createRedisStore({ url: job.redisUrl, prefix: job.prefix });
const limiter = createRateLimiter({
  limits: job.limits,
  store,
  namespace: job.namespace,
  outputReservation: 'max_tokens',
});
const client = new Anthropic({ apiKey: 'test-key', baseURL: job.serverUrl, maxRetries: 0 });

let completed = 0;
let rateLimited = 0;
while (completed < job.count) {
  const reservation = await limiter.acquire({
    model: job.model,
    inputTokens: job.inputTokens,
    maxOutputTokens: job.maxTokens,
  });
  try {
    const { data, response } = await client.messages
      .create({
        model: job.model,
        max_tokens: job.maxTokens,
        messages: [{ role: 'user', content: 'Say something short.' }],
      })
      .withResponse();
    limiter.observe({ model: job.model, status: response.status, headers: response.headers });
    reservation.reconcile(usageFromApi(data.usage));
    completed += 1;
  } catch (error) {
    if (!(error instanceof Anthropic.APIError) || error.status !== 429) throw error;
    rateLimited += 1;
    limiter.observe({ model: job.model, status: 429, headers: error.headers ?? new Headers() });
    reservation.release();
  }
}
limiter.close();
await store.close();
console.log(JSON.stringify({ completed, rateLimited }));
