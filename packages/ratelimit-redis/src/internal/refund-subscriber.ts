import type { Cluster, Redis } from 'ioredis';

/**
 * One subscriber connection per store (a duplicate of its client, since a subscribed
 * connection can run nothing else), made on the first `subscribe`, with one Redis
 * subscription per channel however many listeners share it. ioredis re-subscribes after a
 * reconnect; refunds published while it was away are simply missed, and waiters fall back on
 * their computed wake time.
 */
export class RefundSubscriber {
  private connection: Redis | Cluster | undefined;
  private readonly listeners = new Map<string, Set<() => void>>();
  private closed = false;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: Redis | Cluster,
    private readonly onConnectionError: (error: unknown) => void,
  ) {}

  subscribe(channel: string, listener: () => void): () => void {
    if (this.closed) return () => {};
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      this.pending = this.subscriber()
        .subscribe(channel)
        .catch((error: unknown) => this.onConnectionError(error));
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(channel);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(channel);
      this.connection?.unsubscribe(channel).catch((error: unknown) => this.onConnectionError(error));
    };
  }

  /** Settles once Redis has confirmed (or refused) the latest new subscription. */
  async subscribed(): Promise<void> {
    await this.pending;
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.connection?.disconnect();
    this.connection = undefined;
  }

  private subscriber(): Redis | Cluster {
    if (this.connection) return this.connection;
    // Subscriptions wait for the connection instead of failing while it is down, and are
    // never timed out: a missed wake-up only delays a waiter until its own timer.
    const connection = this.client.isCluster
      ? (this.client as Cluster).duplicate()
      : (this.client as Redis).duplicate({
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          commandTimeout: undefined,
        });
    connection.on('error', (error: unknown) => this.onConnectionError(error));
    connection.on('message', (channel: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener();
    });
    this.connection = connection;
    return connection;
  }
}
