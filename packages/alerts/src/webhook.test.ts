import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBus, createManualClock, InvalidArgumentError } from '@bulwark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { only, waitFor } from './test-support/script.js';
import { watchAlerts } from './watch-alerts.js';
import type { WebhookBody } from './webhook.js';

interface Received {
  body: WebhookBody;
  headers: IncomingMessage['headers'];
}

/** A local HTTP receiver; `answer` decides each response (or never answers). */
async function startReceiver(answer: (index: number, response: ServerResponse) => void) {
  const received: Received[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      received.push({ body: JSON.parse(text), headers: request.headers });
      for (const waiter of waiters.filter((candidate) => received.length >= candidate.count))
        waiter.resolve();
      answer(received.length, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    /** Resolves once `count` posts have arrived. */
    until: (count: number) =>
      new Promise<void>((resolve) => {
        if (received.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const openCircuit = (bus: ReturnType<typeof createBus>, state: 'open' | 'closed') =>
  bus.emit('circuit:state', {
    model: 'claude-opus-4-8',
    state,
    previous: state === 'open' ? 'closed' : 'open',
    failureRate: 0.5,
    attempts: 10,
  });

describe('the webhook sink', () => {
  it('posts each raised and resolved alert as JSON with the configured headers', async () => {
    const receiver = await startReceiver((_, response) => response.writeHead(204).end());
    closers.push(receiver.close);
    const bus = createBus();
    const clock = createManualClock(1_000);
    const watcher = watchAlerts(bus, {
      clock,
      rules: only('circuitOpen'),
      webhook: { url: receiver.url, headers: { authorization: 'Bearer hook-secret' } },
    });
    closers.push(() => watcher.detach());
    openCircuit(bus, 'open');
    clock.tick(1_000);
    openCircuit(bus, 'closed');
    clock.tick(1_000);
    await watcher.flush();
    expect(receiver.received.map(({ body }) => [body.event, body.alertId])).toEqual([
      ['alert:raised', 'circuitOpen:claude-opus-4-8'],
      ['alert:resolved', 'circuitOpen:claude-opus-4-8'],
    ]);
    expect(receiver.received[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer hook-secret',
    });
    expect(receiver.received[1]!.body).toMatchObject({ raisedAt: 2_000, at: 3_000, severity: 'critical' });
  });

  it('retries a receiver that answers 503 until it accepts', async () => {
    const receiver = await startReceiver((index, response) =>
      response.writeHead(index < 3 ? 503 : 200).end(),
    );
    closers.push(receiver.close);
    const bus = createBus();
    const clock = createManualClock();
    const watcher = watchAlerts(bus, {
      clock,
      evaluateEveryMs: 60_000,
      rules: only('circuitOpen'),
      webhook: { url: receiver.url, retryDelayMs: 1_000, maxAttempts: 3 },
    });
    closers.push(() => watcher.detach());
    openCircuit(bus, 'open');
    clock.tick(60_000);
    // The retry's wait is the timer due first (the attempt timeout is 5 s, evaluations 60 s).
    const waitingToRetry = (delayMs: number) => () => clock.nextTimerAt() === clock.now() + delayMs;
    await waitFor(waitingToRetry(1_000));
    await clock.advance(1_000);
    await receiver.until(2);
    await waitFor(waitingToRetry(2_000));
    await clock.advance(2_000);
    await watcher.flush();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map(({ body }) => body.alertId))).toEqual(
      new Set(['circuitOpen:claude-opus-4-8']),
    );
  });

  it('aborts an attempt the receiver does not answer in time, retries, then gives up and logs', async () => {
    const receiver = await startReceiver(() => {}); // never answers
    closers.push(receiver.close);
    const bus = createBus();
    const clock = createManualClock();
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (fields: unknown) => warnings.push(fields) };
    const watcher = watchAlerts(bus, {
      clock,
      logger,
      rules: only('circuitOpen'),
      webhook: { url: receiver.url, timeoutMs: 5_000, maxAttempts: 2, retryDelayMs: 100 },
    });
    closers.push(() => watcher.detach());
    openCircuit(bus, 'open');
    clock.tick(1_000);
    await receiver.until(1);
    await clock.advance(5_000); // the timeout
    await waitFor(() => clock.nextTimerAt() === clock.now() + 100);
    await clock.advance(100); // the wait before the retry
    await receiver.until(2);
    await clock.advance(5_000);
    await watcher.flush();
    expect(warnings).toMatchObject([{ event: 'alert:webhook_failed', problem: 'no answer within 5000 ms' }]);
  });

  it('never lets the bus wait for a delivery: the alert is emitted while the post is pending', async () => {
    const receiver = await startReceiver(() => {});
    closers.push(receiver.close);
    const bus = createBus();
    const clock = createManualClock();
    const emitted: string[] = [];
    bus.on('alert:raised', (alert) => emitted.push(alert.alertId));
    const watcher = watchAlerts(bus, { clock, rules: only('circuitOpen'), webhook: { url: receiver.url } });
    closers.push(() => watcher.detach());
    openCircuit(bus, 'open');
    clock.tick(1_000);
    expect(emitted).toEqual(['circuitOpen:claude-opus-4-8']);
    expect(watcher.active()).toHaveLength(1);
    await receiver.until(1);
  });

  it('uses an injected fetch', async () => {
    const posts: WebhookBody[] = [];
    const bus = createBus();
    const clock = createManualClock();
    const watcher = watchAlerts(bus, {
      clock,
      rules: only('circuitOpen'),
      webhook: {
        url: 'https://alerts.example.invalid/hook',
        fetch: async (_url, init) => {
          posts.push(JSON.parse(String(init?.body)));
          return new Response(null, { status: 200 });
        },
      },
    });
    openCircuit(bus, 'open');
    clock.tick(1_000);
    await watcher.flush();
    watcher.detach();
    expect(posts.map((post) => post.event)).toEqual(['alert:raised']);
  });
});

describe('watchAlerts options', () => {
  it('refuses an unknown rule id, an unknown rule option and a webhook URL that is not http', () => {
    const bus = createBus();
    expect(() => watchAlerts(bus, { rules: { rateLimit: {} } as never })).toThrow(InvalidArgumentError);
    expect(() => watchAlerts(bus, { rules: { failures: { treshold: 0.1 } as never } })).toThrow(
      /options\.rules\.failures/,
    );
    expect(() => watchAlerts(bus, { webhook: { url: 'file:///etc/passwd' } })).toThrow(
      /options\.webhook\.url/,
    );
    expect(() => watchAlerts(bus, { windowMs: -1 })).toThrow(/options\.windowMs/);
  });

  it('stops evaluating and listening after detach', () => {
    const bus = createBus();
    const clock = createManualClock();
    const watcher = watchAlerts(bus, { clock, rules: only('circuitOpen') });
    watcher.detach();
    openCircuit(bus, 'open');
    clock.tick(10_000);
    expect(watcher.active()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    expect(bus.listenerCount('circuit:state')).toBe(0);
  });
});
