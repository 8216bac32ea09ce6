import { type Clock, type Logger, systemClock } from '@bulwark/core';
import {
  defineOptions,
  expectNumber,
  expectString,
  invalidArgument,
  option,
  parseOptions,
  silentLogger,
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

const logMethods = ['debug', 'info', 'warn', 'error'] as const;

/** Every option of `createRedisStore`, declared once with its default. */
export const redisStoreOptions = defineOptions<RedisStoreOptions>()({
  url: {
    default: 'redis://127.0.0.1:6379',
    check(argument: string, value: unknown): string {
      const url = expectString(argument, value);
      if (!/^rediss?:\/\//.test(url)) throw invalidArgument(argument, 'a redis:// or rediss:// URL', url);
      return url;
    },
  },
  client: option.instance<Redis | Cluster>(
    'an ioredis Redis or Cluster client',
    (value) =>
      typeof (value as Redis).evalsha === 'function' && typeof (value as Redis).duplicate === 'function',
  ),
  prefix: option.string({ allowEmpty: true, default: 'bulwark:rl:' }),
  commandTimeoutMs: option.number({ min: 1, default: 1_000 }),
  connectTimeoutMs: option.number({ min: 1, default: 5_000 }),
  onUnavailable: option.oneOf(['fail', 'local'], { default: 'fail' }),
  localShare: {
    default: 0.25,
    check(argument: string, value: unknown): number {
      const share = expectNumber(argument, value, { min: 0, max: 1 });
      if (share === 0) throw invalidArgument(argument, 'a number in (0, 1]', share);
      return share;
    },
  },
  wakeJitterMs: option.number({ min: 0, default: 50 }),
  raiseFromServer: option.boolean({ default: false }),
  clock: option.instance<Clock, { default: Clock }>(
    'a Clock (now, setTimeout)',
    (value) =>
      typeof (value as Clock).now === 'function' && typeof (value as Clock).setTimeout === 'function',
    { default: systemClock },
  ),
  logger: option.instance<Logger, { default: Logger }>(
    'a Logger (debug, info, warn, error)',
    (value) => logMethods.every((method) => typeof (value as Logger)[method] === 'function'),
    { default: silentLogger },
  ),
});

/** Checks every option up front (`InvalidArgumentError` names the first bad one) and fills in defaults. */
export function parseRedisStoreOptions(options: unknown) {
  const settings = parseOptions('options', options, redisStoreOptions);
  const givenUrl = (options as RedisStoreOptions).url;
  if (settings.client !== undefined && givenUrl !== undefined) {
    throw invalidArgument('options.url', 'no `url` when `client` is given', givenUrl);
  }
  return settings;
}

/** The options after `parseRedisStoreOptions`. */
export type RedisStoreSettings = ReturnType<typeof parseRedisStoreOptions>;
