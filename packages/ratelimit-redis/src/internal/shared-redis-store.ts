import type { Logger } from '@bulwark/core';
import { createSafeLogger } from '@bulwark/core/internal';
import type {
  RateLimitStore,
  StoreAdjustRequest,
  StoreLevelsResult,
  StorePeekRequest,
  StoreScope,
  StoreSyncRequest,
  StoreTakeRequest,
  StoreTakeResult,
  StoreThrottleRequest,
  StoreThrottleResult,
} from '@bulwark/ratelimit';
import { type Cluster, Redis } from 'ioredis';
import { RedisUnavailableError } from '../errors.js';
import { createScopeKeyCache, type ScopeKeys } from '../key-layout.js';
import { parseRedisStoreOptions, type RedisStoreOptions, type RedisStoreSettings } from '../options.js';
import type { RedisStore, RedisStoreState } from '../redis-store.js';
import { createLocalFallback } from './local-fallback.js';
import { adjustScript, peekScript, syncScript, takeScript, throttleScript } from './lua-scripts.js';
import { RedisConnection } from './redis-connection.js';
import { RefundSubscriber } from './refund-subscriber.js';
import {
  amountArguments,
  bucketNamesOf,
  levelsReply,
  shapeArguments,
  syncArguments,
  takeReply,
  throttleReply,
} from './script-replies.js';
import { type LuaScript, luaScript } from './script-runner.js';

/** Test hooks, not part of the public options. */
export interface RedisStoreHooks {
  /** Milliseconds added to Redis's `TIME` in every script: lets tests move the store's clock. */
  clockOffsetMs?: () => number;
  /** Handed the client the store uses, so tests can wait for its reconnection. */
  onClient?: (client: Redis | Cluster) => void;
}

/** `createRedisStore` with the test hooks: for this package's tests only. */
export function createRedisStoreWithHooks(options: RedisStoreOptions, hooks: RedisStoreHooks): RedisStore {
  return new SharedRedisStore(parseRedisStoreOptions(options), hooks);
}

const scripts = {
  take: luaScript(takeScript),
  adjust: luaScript(adjustScript),
  sync: luaScript(syncScript),
  throttle: luaScript(throttleScript),
  peek: luaScript(peekScript),
};

type Operation = keyof typeof scripts;

/**
 * Each operation one script on Redis; when Redis does not answer, fails closed or, with
 * `onUnavailable: 'local'`, runs on a local store holding a share of every limit.
 */
export class SharedRedisStore implements RedisStore {
  readonly wakeJitterMs: number;
  private currentState: RedisStoreState = 'shared';
  private readonly client: Redis | Cluster;
  private readonly ownsClient: boolean;
  private readonly connection: RedisConnection;
  private readonly subscriber: RefundSubscriber;
  private readonly keysOf: (scope: StoreScope) => ScopeKeys;
  private readonly logger: Logger;
  private readonly local: RateLimitStore | undefined;
  private readonly clockOffsetMs: () => number;
  private readonly onConnectionError = (error: unknown): void => {
    // ioredis reconnects by itself; operations meanwhile fail (or go local) and say so.
    this.logger.debug({ error }, 'Redis rate-limit store: connection error');
  };

  constructor(
    private readonly settings: RedisStoreSettings,
    hooks: RedisStoreHooks,
  ) {
    const { client, commandTimeoutMs, connectTimeoutMs, clock } = settings;
    this.wakeJitterMs = settings.wakeJitterMs;
    this.logger = createSafeLogger(settings.logger);
    this.clockOffsetMs = hooks.clockOffsetMs ?? (() => 0);
    this.ownsClient = client === undefined;
    this.client = client ?? ownClient(settings);
    hooks.onClient?.(this.client);
    // An owned client times its commands out itself (`commandTimeout`); a given one gets a timer.
    this.connection = new RedisConnection(this.client, {
      commandTimeoutMs: this.ownsClient ? undefined : commandTimeoutMs,
      connectTimeoutMs,
      clock,
    });
    this.keysOf = createScopeKeyCache(settings.prefix);
    this.client.on('error', this.onConnectionError);
    this.subscriber = new RefundSubscriber(this.client, this.onConnectionError);
    this.local =
      settings.onUnavailable === 'local' ? createLocalFallback(settings.localShare, clock) : undefined;
  }

  get state(): RedisStoreState {
    return this.currentState;
  }

  take(request: StoreTakeRequest): Promise<StoreTakeResult> {
    const args = [0, ...amountArguments(request.buckets)];
    return this.run('take', request.scope, args, takeReply(bucketNamesOf(request.buckets)), (store) =>
      store.take(request),
    );
  }

  adjust(request: StoreAdjustRequest): Promise<StoreLevelsResult> {
    const args = [0, ...amountArguments(request.buckets)];
    return this.run('adjust', request.scope, args, levelsReply(bucketNamesOf(request.buckets)), (store) =>
      store.adjust(request),
    );
  }

  sync(request: StoreSyncRequest): Promise<StoreLevelsResult> {
    const raise = request.raise && this.settings.raiseFromServer ? 1 : 0;
    const args = [raise, ...syncArguments(request.buckets)];
    return this.run('sync', request.scope, args, levelsReply(bucketNamesOf(request.buckets)), (store) =>
      store.sync(request),
    );
  }

  throttle(request: StoreThrottleRequest): Promise<StoreThrottleResult> {
    return this.run('throttle', request.scope, [request.durationMs], throttleReply, (store) =>
      store.throttle(request),
    );
  }

  peek(request: StorePeekRequest): Promise<StoreLevelsResult> {
    const args = [0, ...shapeArguments(request.buckets)];
    return this.run('peek', request.scope, args, levelsReply(bucketNamesOf(request.buckets)), (store) =>
      store.peek(request),
    );
  }

  subscribe(scope: StoreScope, onRefund: () => void): () => void {
    return this.subscriber.subscribe(this.keysOf(scope).channel, onRefund);
  }

  async close(): Promise<void> {
    this.subscriber.close();
    this.connection.close();
    // The owned client may be down: `disconnect` never waits for a server. Its error listener
    // stays, so a late connection error is never unhandled.
    if (this.ownsClient) this.client.disconnect();
    else this.client.off('error', this.onConnectionError);
  }

  /** Runs one script; when Redis does not answer, fails closed or runs `fallback` locally. */
  private async run<T>(
    operation: Operation,
    scope: StoreScope,
    args: readonly (string | number)[],
    parse: (reply: string[]) => T,
    fallback: (store: RateLimitStore) => Promise<T>,
  ): Promise<T> {
    const keys = this.keysOf(scope);
    const script: LuaScript = scripts[operation];
    let reply: string[];
    try {
      reply = await this.connection.run(script, [keys.key], [this.clockOffsetMs(), keys.channel, ...args]);
    } catch (error) {
      if (!this.connection.isUnavailability(error)) throw error;
      if (!this.local) throw new RedisUnavailableError({ operation, cause: error });
      this.setState('local', error);
      return fallback(this.local);
    }
    this.setState('shared');
    return parse(reply);
  }

  private setState(next: RedisStoreState, error?: unknown): void {
    if (this.currentState === next) return;
    this.currentState = next;
    if (next === 'local') {
      this.logger.warn(
        { error, localShare: this.settings.localShare },
        'Redis rate-limit store: Redis unavailable, using local limits',
      );
    } else {
      this.logger.info({}, 'Redis rate-limit store: Redis is back, using the shared limits again');
    }
  }
}

/**
 * The client the store makes from `url`: commands fail at once while disconnected (no offline
 * queue: a take queued for later would hold capacity nobody uses), and ioredis reconnects
 * forever with a capped backoff.
 */
function ownClient({ url, commandTimeoutMs }: RedisStoreSettings): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
  });
}
