import type { Clock, Logger } from '@bulwark/core';
import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalNumber,
  expectString,
  invalidArgument,
} from '@bulwark/core/internal';
import type { Cluster, Redis } from 'ioredis';

/** What the store does when Redis does not answer. */
export type UnavailableMode = 'fail' | 'local';

export interface RedisStoreOptions {
  /** Where Redis listens, when the store makes its own client. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /**
   * An ioredis `Redis` or `Cluster` client to use instead of `url`. The store never closes it.
   * Give it `enableOfflineQueue: false`, or the store's timeout leaves queued commands behind.
   */
  client?: Redis | Cluster;
  /** Put before every key and channel, to keep applications apart in one Redis. @default 'bulwark:rl:' */
  prefix?: string;
  /** Longest a store operation waits for Redis before counting it unavailable. @default 1000 */
  commandTimeoutMs?: number;
  /** Longest the first operation waits for the first connection. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * When Redis does not answer: `'fail'` rejects the operation with `RedisUnavailableError`
   * (fail closed: nothing is admitted), `'local'` runs it on an in-memory store of this process
   * holding `localShare` of every limit, until Redis answers again. @default 'fail'
   */
  onUnavailable?: UnavailableMode;
  /** The share of each limit the local fallback holds, in (0, 1]: about 1 ÷ the number of processes. @default 0.25 */
  localShare?: number;
  /**
   * Up to this many ms of random delay the limiter adds to each computed wait, so processes
   * waiting for the same refill do not all ask Redis in the same millisecond. @default 50
   */
  wakeJitterMs?: number;
  /**
   * Let `sync({ raise: true })` lift levels up to the server's `remaining`. Off by default: with
   * several processes, a `remaining` read a moment ago does not count the calls other processes
   * were admitted for since, so raising to it undoes their takes and over-admits. Lowering is
   * always done. @default false
   */
  raiseFromServer?: boolean;
  /** Time for the local fallback and for timeouts (Redis's `TIME` decides everything shared). @default systemClock */
  clock?: Clock;
  /** Told when the store falls back to local limits and when it resumes the shared ones. @default silent */
  logger?: Logger;
}

const optionKeys = [
  'url',
  'client',
  'prefix',
  'commandTimeoutMs',
  'connectTimeoutMs',
  'onUnavailable',
  'localShare',
  'wakeJitterMs',
  'raiseFromServer',
  'clock',
  'logger',
] as const satisfies readonly (keyof RedisStoreOptions)[];

/** Checks every option up front; throws `InvalidArgumentError` naming the first bad one. */
export function validateRedisStoreOptions(options: unknown): RedisStoreOptions {
  const record = expectObject('options', options);
  expectKnownKeys('options', record, optionKeys);
  if (record.url !== undefined) {
    const url = expectString('options.url', record.url);
    if (!/^rediss?:\/\//.test(url)) throw invalidArgument('options.url', 'a redis:// or rediss:// URL', url);
  }
  if (record.client !== undefined) {
    const client = expectObject('options.client', record.client);
    if (typeof client.evalsha !== 'function' || typeof client.duplicate !== 'function') {
      throw invalidArgument('options.client', 'an ioredis Redis or Cluster client', record.client);
    }
    if (record.url !== undefined) {
      throw invalidArgument('options.url', 'no `url` when `client` is given', record.url);
    }
  }
  if (record.prefix !== undefined) expectString('options.prefix', record.prefix, { allowEmpty: true });
  expectOptionalNumber('options.commandTimeoutMs', record.commandTimeoutMs, { min: 1 });
  expectOptionalNumber('options.connectTimeoutMs', record.connectTimeoutMs, { min: 1 });
  if (record.onUnavailable !== undefined)
    expectOneOf('options.onUnavailable', record.onUnavailable, ['fail', 'local']);
  if (record.localShare !== undefined) {
    const share = expectNumber('options.localShare', record.localShare, { min: 0, max: 1 });
    if (share === 0) throw invalidArgument('options.localShare', 'a number in (0, 1]', share);
  }
  expectOptionalNumber('options.wakeJitterMs', record.wakeJitterMs, { min: 0 });
  if (record.raiseFromServer !== undefined && typeof record.raiseFromServer !== 'boolean') {
    throw invalidArgument('options.raiseFromServer', 'a boolean', record.raiseFromServer);
  }
  for (const key of ['clock', 'logger'] as const) {
    if (record[key] !== undefined) expectObject(`options.${key}`, record[key]);
  }
  return record as RedisStoreOptions;
}
