import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis every test uses: the machine's, or REDIS_URL. Tests fail, never skip, without it. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other run uses, so parallel runs and other engineers' tests never collide. */
export function uniquePrefix(label: string): string {
  return `bulwark-test:${label}:${randomUUID()}:`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS) and returns how many there were. */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Lists the keys under `prefix`. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** A plain client for test bookkeeping; connecting fails the test when Redis is missing. */
export async function connectAdmin(url = redisUrl): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await client.connect();
  return client;
}
