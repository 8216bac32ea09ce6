import { createServer, type Server, connect as tcpConnect } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { watchAlerts } from '@bulwark/alerts';
import { createBus } from '@bulwark/core';
import { createStreamingClient } from '@bulwark/stream';
import { startMockServer } from '@bulwark/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard } from './start-dashboard.js';
import { launchChromium } from './test-support/browser.js';
import { openSse } from './test-support/sse-client.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A TCP proxy on loopback that keeps every byte the target sends back. */
async function recordingProxy(targetPort: number) {
  const sent: Buffer[] = [];
  const server: Server = createServer((socket) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    socket.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => sent.push(chunk));
    upstream.pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    bytes: () => Buffer.concat(sent),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const apiKey = 'sk-ant-api03-CANARYKEY-do-not-leak-0123456789';
const prompt = 'PROMPTCANARY: the lighthouse keeper counts seventeen gulls';

describe('privacy', () => {
  it('never sends an API key or a prompt: every byte the dashboard sends is scanned', async () => {
    const server = await startMockServer({ seed: 5, apiKey, outputTokens: { min: 20, max: 40 } });
    closers.push(() => server.close());
    const bus = createBus();
    const alerts = watchAlerts(bus, { evaluateEveryMs: 10, rules: { failures: { minSamples: 1 } } });
    closers.push(() => alerts.detach());
    const dashboard = await startDashboard({ bus });
    closers.push(() => dashboard.close());
    const proxy = await recordingProxy(Number(new URL(dashboard.url).port));
    closers.push(() => proxy.close());
    const browser = await launchChromium();
    closers.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`${proxy.origin}/`);
    const events = await openSse(`${proxy.origin}/events`);
    closers.push(() => events.close());

    const client = createStreamingClient({
      client: new Anthropic({ apiKey, baseURL: server.url, maxRetries: 0 }),
      bus,
      retry: { initialRetryDelayMs: 1 },
      progressIntervalMs: 5,
    });
    const request = (index: number, system?: string) => ({
      model: 'claude-sonnet-4-6',
      max_tokens: 8_000,
      ...(system ? { system } : {}),
      messages: [{ role: 'user' as const, content: `${prompt} (${index})` }],
    });
    // Faults so that error summaries flow too: a retried 529, a dropped stream, a refused 400.
    server.setFaults({
      schedule: {
        1: { kind: 'status', status: 529 },
        2: { kind: 'drop', afterEvents: 6 },
        3: { kind: 'status', status: 400, errorType: 'invalid_request_error' },
      },
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, index) => client.createMessage(request(index, `${prompt} as system`))),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(1);
    await page.waitForFunction(
      () =>
        document.getElementById('total-completed')?.textContent === '5' &&
        document.getElementById('total-failed')?.textContent === '1' &&
        document.querySelector('#active-alerts li[data-rule-id="failures"]') !== null,
      undefined,
      { timeout: 60_000 },
    );
    for (const path of ['/metrics', '/healthz', '/assets/dashboard.js', '/nothing']) {
      await (await fetch(`${proxy.origin}${path}`)).arrayBuffer();
    }

    const sent = proxy.bytes().toString('latin1');
    expect(sent).toContain('text/event-stream');
    expect(sent).toContain('gen_ai_client_token_usage');
    expect(sent).toContain('"failures"');
    for (const secret of [apiKey, prompt, 'PROMPTCANARY', 'CANARYKEY', 'lighthouse keeper']) {
      for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
        expect(sent.includes(form), `sent ${form}`).toBe(false);
      }
    }
  }, 120_000);
});
