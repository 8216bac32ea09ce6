import type { Clock, ClockTimer } from '@bulwark/core';
import type { Cluster, Redis } from 'ioredis';
import { type LuaScript, runScript } from './script-runner.js';

/** Raised inside the store when Redis is not there to ask; never leaves the package. */
export class NotConnectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotConnectedError';
  }
}

// Replies that mean "this Redis cannot serve right now", not "your script is wrong".
const unavailableReplies = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS)\b/;

const pendingStates = new Set(['wait', 'connecting', 'connect', 'reconnecting']);

/**
 * Guards every script run: it goes to Redis only when the client is ready (waiting, the first
 * time only, up to `connectTimeoutMs` for the first connection), and it is given up after
 * `commandTimeoutMs`. A client that was ready and is not any more fails at once, so a Redis
 * outage costs each caller no time.
 */
export class RedisConnection {
  private everReady: boolean;
  private firstReady: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly options: {
      /** Without it, the client's own `commandTimeout` bounds each command. */
      commandTimeoutMs: number | undefined;
      connectTimeoutMs: number;
      clock: Clock;
    },
  ) {
    this.everReady = client.status === 'ready';
    client.once('ready', () => {
      this.everReady = true;
    });
  }

  async run(
    script: LuaScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<string[]> {
    if (this.closed) throw new NotConnectedError('The Redis store is closed');
    if (this.client.status !== 'ready') await this.awaitFirstConnection();
    const running = runScript(this.client, script, keys, args);
    const { commandTimeoutMs } = this.options;
    return commandTimeoutMs === undefined ? running : this.withTimeout(running, commandTimeoutMs);
  }

  isUnavailability(error: unknown): boolean {
    if (error instanceof NotConnectedError) return true;
    if (!(error instanceof Error)) return false;
    if (error.name !== 'ReplyError') return true; // a connection, timeout or retry error
    return unavailableReplies.test(error.message);
  }

  close(): void {
    this.closed = true;
  }

  private async awaitFirstConnection(): Promise<void> {
    const { client } = this;
    if (this.everReady || !pendingStates.has(client.status)) {
      throw new NotConnectedError(`Redis is not connected (${client.status})`);
    }
    this.firstReady ??= new Promise<void>((resolve) => client.once('ready', resolve));
    // A failed connect needs no handling here: ioredis emits it as an `error` event (which the
    // store logs) and retries, and this wait gives up after `connectTimeoutMs` by itself.
    if (client.status === 'wait') client.connect().catch(() => {});
    await this.withTimeout(this.firstReady, this.options.connectTimeoutMs);
  }

  private withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: ClockTimer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.options.clock.setTimeout(
        () => reject(new NotConnectedError(`Redis did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    // The losing promise may still settle later; it must never become an unhandled rejection.
    promise.catch(() => {});
    return Promise.race([promise, timeout]).finally(() => timer?.cancel());
  }
}
