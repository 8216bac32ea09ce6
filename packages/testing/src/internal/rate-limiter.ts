import type { Clock } from '@bulwark/core';
import type { MockRateLimits } from '../mock-server-options.js';

/** Limits shown (and enforced) where none is configured: large enough never to be hit in tests. */
export const unlimitedRequestsPerMinute = 1_000_000;
export const unlimitedTokensPerMinute = 1_000_000_000;

type BucketName = 'requests' | 'input-tokens' | 'output-tokens';

class Bucket {
  readonly capacity: number;
  level: number;
  updatedAt: number;

  constructor(capacity: number, now: number) {
    this.capacity = capacity;
    this.level = capacity;
    this.updatedAt = now;
  }

  /** Refills continuously: the whole capacity over one minute. */
  refill(now: number): void {
    if (now > this.updatedAt) {
      this.level = Math.min(this.capacity, this.level + ((now - this.updatedAt) * this.capacity) / 60_000);
    }
    this.updatedAt = Math.max(this.updatedAt, now);
  }

  /** Milliseconds until the level reaches `amount` (0 when it already has). */
  msUntil(amount: number): number {
    if (this.level >= amount) return 0;
    return ((amount - this.level) * 60_000) / this.capacity;
  }
}

interface ClassBuckets {
  requests: Bucket;
  'input-tokens': Bucket;
  'output-tokens': Bucket;
}

/** Why a request was refused, for the 429 body and `retry-after`. */
export interface RateLimitRefusal {
  bucket: BucketName;
  limit: number;
  retryAfterSeconds: number;
}

function rfc3339(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Token `remaining` as the API reports it: rounded down to thousands above 1,000. */
export function roundTokensRemaining(level: number): number {
  const whole = Math.max(0, Math.floor(level));
  return whole > 1000 ? Math.floor(whole / 1000) * 1000 : whole;
}

/** Per model class token buckets for requests, input and output tokens per minute. */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #limitsFor: (modelClass: string) => MockRateLimits;
  #buckets = new Map<string, ClassBuckets>();

  constructor(clock: Clock, limitsFor: (modelClass: string) => MockRateLimits) {
    this.#clock = clock;
    this.#limitsFor = limitsFor;
  }

  #bucketsOf(modelClass: string): ClassBuckets {
    let buckets = this.#buckets.get(modelClass);
    const now = this.#clock.now();
    if (!buckets) {
      const limits = this.#limitsFor(modelClass);
      buckets = {
        requests: new Bucket(limits.requestsPerMinute ?? unlimitedRequestsPerMinute, now),
        'input-tokens': new Bucket(limits.inputTokensPerMinute ?? unlimitedTokensPerMinute, now),
        'output-tokens': new Bucket(limits.outputTokensPerMinute ?? unlimitedTokensPerMinute, now),
      };
      this.#buckets.set(modelClass, buckets);
    }
    for (const bucket of Object.values(buckets)) bucket.refill(now);
    return buckets;
  }

  /** Takes one request and `inputTokens`, or says which bucket refuses and for how long. */
  admit(modelClass: string, inputTokens: number): RateLimitRefusal | undefined {
    const buckets = this.#bucketsOf(modelClass);
    const needs: Array<[BucketName, number]> = [
      ['requests', 1],
      ['input-tokens', inputTokens],
      ['output-tokens', 1],
    ];
    for (const [name, amount] of needs) {
      const bucket = buckets[name];
      if (bucket.level < amount) {
        const waitMs = amount > bucket.capacity ? 60_000 : bucket.msUntil(amount);
        return {
          bucket: name,
          limit: bucket.capacity,
          retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
        };
      }
    }
    buckets.requests.level -= 1;
    buckets['input-tokens'].level -= inputTokens;
    return undefined;
  }

  /** Output tokens count as they are generated; the bucket may go below zero. */
  recordOutput(modelClass: string, outputTokens: number): void {
    if (outputTokens > 0) this.#bucketsOf(modelClass)['output-tokens'].level -= outputTokens;
  }

  /** The `anthropic-ratelimit-*` headers for a model class, as of now. */
  headers(modelClass: string): Record<string, string> {
    const buckets = this.#bucketsOf(modelClass);
    const now = this.#clock.now();
    const headers: Record<string, string> = {};
    const describe = (prefix: string, bucket: Bucket, remaining: number): void => {
      headers[`anthropic-ratelimit-${prefix}-limit`] = String(bucket.capacity);
      headers[`anthropic-ratelimit-${prefix}-remaining`] = String(remaining);
      headers[`anthropic-ratelimit-${prefix}-reset`] = rfc3339(now + bucket.msUntil(bucket.capacity));
    };
    describe('requests', buckets.requests, Math.max(0, Math.floor(buckets.requests.level)));
    const input = buckets['input-tokens'];
    const output = buckets['output-tokens'];
    describe('input-tokens', input, roundTokensRemaining(input.level));
    describe('output-tokens', output, roundTokensRemaining(output.level));
    const tightest = output.level < input.level ? output : input;
    describe('tokens', tightest, roundTokensRemaining(tightest.level));
    return headers;
  }

  reset(): void {
    this.#buckets = new Map();
  }
}
