import type { Clock, Logger } from '@bulwark/core';
import { sleep } from '@bulwark/core/internal';
import type { WebhookBody } from '../webhook.js';

export interface WebhookSinkSettings {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxAttempts: number;
  retryDelayMs: number;
  maxQueue: number;
  fetch: typeof globalThis.fetch;
  clock: Clock;
  logger: Logger;
}

const retryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Sends alerts one at a time, in order, in the background: `send` only queues. A delivery that
 * still fails after `maxAttempts` is logged and dropped; a full queue drops its oldest alert.
 */
export class WebhookSink {
  private readonly queue: WebhookBody[] = [];
  private running: Promise<void> | undefined;
  private readonly stopped = new AbortController();

  constructor(private readonly settings: WebhookSinkSettings) {}

  send(body: WebhookBody): void {
    if (this.stopped.signal.aborted) return;
    this.queue.push(body);
    if (this.queue.length > this.settings.maxQueue) {
      const dropped = this.queue.shift();
      this.settings.logger.warn(
        { event: 'alert:webhook_dropped', alertId: dropped?.alertId },
        'alert webhook queue full: oldest alert dropped',
      );
    }
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when every queued alert was delivered or given up. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drops what is queued and aborts the delivery under way. */
  stop(): void {
    this.queue.length = 0;
    this.stopped.abort();
  }

  private async drain(): Promise<void> {
    for (let body = this.queue.shift(); body; body = this.queue.shift()) {
      await this.deliver(body);
    }
  }

  private async deliver(body: WebhookBody): Promise<void> {
    const { maxAttempts, retryDelayMs, clock, logger } = this.settings;
    let lastProblem = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      if (this.stopped.signal.aborted) return;
      const outcome = await this.attempt(body);
      if (outcome === 'delivered') return;
      lastProblem = outcome.problem;
      if (!outcome.retryable || attempt === maxAttempts) break;
      try {
        await sleep(clock, retryDelayMs * 2 ** (attempt - 1), this.stopped.signal);
      } catch {
        return; // stopped while waiting: nothing more to send
      }
    }
    logger.warn(
      { event: 'alert:webhook_failed', alertId: body.alertId, problem: lastProblem },
      'alert webhook delivery failed',
    );
  }

  private async attempt(body: WebhookBody): Promise<'delivered' | { retryable: boolean; problem: string }> {
    const { url, headers, timeoutMs, clock } = this.settings;
    const controller = new AbortController();
    const onStop = (): void => controller.abort();
    this.stopped.signal.addEventListener('abort', onStop, { once: true });
    const timer = clock.setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await this.settings.fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      // The body is not needed; cancelling it frees the connection.
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return 'delivered';
      return { retryable: retryableStatus(response.status), problem: `status ${response.status}` };
    } catch (error) {
      const problem = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : String(error);
      return { retryable: true, problem };
    } finally {
      timer.cancel();
      this.stopped.signal.removeEventListener('abort', onStop);
    }
  }
}
