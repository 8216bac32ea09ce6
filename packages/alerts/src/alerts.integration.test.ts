import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { type AlertRaisedEvent, createBus } from '@bulwark/core';
import { createStreamingClient } from '@bulwark/stream';
import { startMockServer } from '@bulwark/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { only } from './test-support/script.js';
import { watchAlerts } from './watch-alerts.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A receiver that accepts the connection and then answers `status`, or never when `status` is undefined. */
async function startBrokenReceiver(status: number | undefined) {
  let posts = 0;
  let notify: () => void = () => {};
  const firstPost = new Promise<void>((resolve) => {
    notify = resolve;
  });
  const server = createServer((request, response) => {
    request.resume();
    posts += 1;
    notify();
    if (status !== undefined) response.writeHead(status).end('broken');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    firstPost,
    posts: () => posts,
  };
}

describe('alerts beside real requests', () => {
  for (const [label, status] of [
    ['never answers', undefined],
    ['answers 500', 500],
  ] as const) {
    it(`raises an alert from real traffic, and a webhook receiver that ${label} does not hold any request back`, async () => {
      const server = await startMockServer({ seed: 3, outputTokens: { min: 20, max: 60 } });
      closers.push(() => server.close());
      const receiver = await startBrokenReceiver(status);
      const bus = createBus();
      const watcher = watchAlerts(bus, {
        evaluateEveryMs: 5,
        rules: only('retries', { threshold: 0.05, minSamples: 1 }),
        webhook: { url: receiver.url, timeoutMs: 60_000, maxAttempts: 5, retryDelayMs: 1 },
      });
      closers.push(() => watcher.detach());
      const raised = new Promise<AlertRaisedEvent>((resolve) => bus.once('alert:raised', resolve));
      const client = createStreamingClient({
        client: new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 }),
        bus,
        retry: { initialRetryDelayMs: 1 },
      });
      const requests = Array.from({ length: 8 }, (_, index) => ({
        model: 'claude-sonnet-4-6',
        max_tokens: 8_000,
        messages: [{ role: 'user' as const, content: `Question ${index}` }],
      }));
      // The first two attempts to reach the server are overloaded; their retries pass.
      server.setFaults({
        schedule: { 1: { kind: 'status', status: 529 }, 2: { kind: 'status', status: 529 } },
      });
      const messages = await Promise.all(requests.map((request) => client.createMessage(request)));
      for (const [index, message] of messages.entries()) {
        const block = message.content[0];
        expect(block?.type === 'text' ? block.text : '').toBe(server.expectedText(requests[index]!));
      }
      expect((await raised).ruleId).toBe('retries');
      await receiver.firstPost;
      expect(receiver.posts()).toBeGreaterThanOrEqual(1);
      // A second batch goes through just as well while the receiver is still failing.
      const again = await Promise.all(requests.slice(0, 3).map((request) => client.createMessage(request)));
      expect(again).toHaveLength(3);
    });
  }
});
