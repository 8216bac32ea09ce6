import type { HeadersLike } from '@bulwark/core';
import { getHeader } from '@bulwark/core/internal';
import type { StoreBucketName } from '../store.js';

/** What the `anthropic-ratelimit-<bucket>-*` headers say about one bucket. */
export interface HeaderBucket {
  limit?: number;
  remaining?: number;
}

const headerPrefixes: Record<StoreBucketName, string> = {
  requests: 'anthropic-ratelimit-requests',
  input_tokens: 'anthropic-ratelimit-input-tokens',
  output_tokens: 'anthropic-ratelimit-output-tokens',
};

function readNumber(headers: HeadersLike, name: string): number | undefined {
  const raw = getHeader(headers, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Reads `anthropic-ratelimit-{requests,input-tokens,output-tokens}-{limit,remaining}`.
 * The API rounds token `remaining` to the nearest thousand, so a round token figure is read
 * as up to 500 lower: the limiter must never believe more remains than does.
 */
export function readHeaderBuckets(headers: HeadersLike): Partial<Record<StoreBucketName, HeaderBucket>> {
  const result: Partial<Record<StoreBucketName, HeaderBucket>> = {};
  for (const bucket of Object.keys(headerPrefixes) as StoreBucketName[]) {
    const prefix = headerPrefixes[bucket];
    const limit = readNumber(headers, `${prefix}-limit`);
    let remaining = readNumber(headers, `${prefix}-remaining`);
    if (remaining !== undefined && bucket !== 'requests' && remaining >= 1000 && remaining % 1000 === 0) {
      remaining -= 500;
    }
    if (limit === undefined && remaining === undefined) continue;
    const entry: HeaderBucket = {};
    if (limit !== undefined && limit > 0) entry.limit = limit;
    if (remaining !== undefined) entry.remaining = remaining;
    result[bucket] = entry;
  }
  return result;
}
