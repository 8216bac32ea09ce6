import Anthropic from '@anthropic-ai/sdk';
import { watchAlerts } from '@bulwark/alerts';
import { type Bus, createBus, createManualClock, type ManualClock } from '@bulwark/core';
import { createRateLimiter } from '@bulwark/ratelimit';
import { createStreamingClient, type StreamingClient } from '@bulwark/stream';
import { startMockServer } from '@bulwark/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from './start-dashboard.js';
import { launchChromium } from './test-support/browser.js';
import { driveUntil } from './test-support/drive.js';
import { waitFor } from './test-support/sse-client.js';

const model = 'claude-sonnet-4-6';
const requestOf = (index: number) => ({
  model,
  max_tokens: 8_000,
  messages: [{ role: 'user' as const, content: `Tell story number ${index}.` }],
});

let browser: Browser;
let page: Page;
let bus: Bus;
let clock: ManualClock;
let server: Awaited<ReturnType<typeof startMockServer>>;
let client: StreamingClient;
let dashboard: Dashboard;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  browser = await launchChromium();
  // The test's page-side checks are text (see readPage), which the page's CSP would refuse.
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
  clock = createManualClock(Date.UTC(2026, 0, 5, 9, 30, 0));
  bus = createBus();
  server = await startMockServer({ seed: 7, clock, tokensPerSecond: 20, outputTokens: { min: 60, max: 90 } });
  const limiter = createRateLimiter({
    bus,
    clock,
    limits: { requestsPerMinute: 600, inputTokensPerMinute: 200_000, outputTokensPerMinute: 400_000 },
  });
  closers.push(() => limiter.close());
  client = createStreamingClient({
    client: new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 }),
    bus,
    clock,
    admission: limiter,
    progressIntervalMs: 500,
    stallTimeoutMs: 5_000,
    retry: { initialRetryDelayMs: 4_000 },
    // Backoff waits of 4 s (no jitter), long enough to see a request wait in every state.
    random: () => 0.999,
  });
  const alerts = watchAlerts(bus, { clock, rules: { stalls: { minSamples: 1 } } });
  closers.push(() => alerts.detach());
  dashboard = await startDashboard({ bus, clock, title: 'Bulwark test batch' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  for (const close of closers.reverse()) await close();
  await server?.close();
});

describe('the dashboard in a real browser', () => {
  it('shows a faulted batch live: requests, progress, a stall and its resume, an alert, totals, and catches up after a restart', async () => {
    await page.goto(dashboard.url);
    const drive = (condition: Parameters<typeof driveUntil>[3]) =>
      driveUntil(page, clock, dashboard.url, condition);
    await drive((view) => view.connection === 'live');
    expect(await page.title()).toBe('Bulwark test batch');

    const reported = { input: 0, output: 0 };
    bus.on('usage', ({ usage }) => {
      reported.input += usage.inputTokens;
      reported.output += usage.outputTokens;
    });
    // The first request to reach the server stalls after 20 events; the second gets a 529.
    server.setFaults({
      schedule: {
        1: { kind: 'stall', afterEvents: 20, durationMs: 600_000 },
        2: { kind: 'status', status: 529 },
      },
    });
    const results: Array<Promise<Anthropic.Message>> = [];
    results.push(client.createMessage(requestOf(1), { requestId: 'req_stalls' }));
    await waitFor(() => server.requests.length >= 1);
    for (let index = 2; index <= 6; index += 1) {
      results.push(client.createMessage(requestOf(index), { requestId: `req_${index}` }));
    }
    const settled = Promise.allSettled(results);

    const appeared = await drive((view) => view.rows.length === 6);
    expect(appeared.rows.map((row) => row.id).sort()).toEqual([
      'req_2',
      'req_3',
      'req_4',
      'req_5',
      'req_6',
      'req_stalls',
    ]);

    const moving = await drive((view) =>
      view.rows.some((row) => row.state === 'streaming' && row.outputTokens > 0),
    );
    const first = moving.rows.find((row) => row.outputTokens > 0)!;
    const further = await drive(
      (view) => (view.rows.find((row) => row.id === first.id)?.outputTokens ?? 0) > first.outputTokens,
    );
    expect(further.rows.find((row) => row.id === first.id)!.outputTokens).toBeGreaterThan(first.outputTokens);

    const retrying = await drive((view) => view.rows.some((row) => row.state === 'retrying'));
    expect(retrying.rows.find((row) => row.state === 'retrying')!.label).toMatch(/^retrying in \d+ s$/);

    const stalled = await drive((view) =>
      view.rows.some((row) => row.id === 'req_stalls' && row.state === 'stalled'),
    );
    expect(stalled.rows.find((row) => row.id === 'req_stalls')!.label).toMatch(/^stalled/);
    const alerted = await drive((view) => view.alerts.includes('stalls'));
    expect(alerted.alerts).toEqual(['stalls']);
    const resumed = await drive((view) =>
      view.rows.some((row) => row.id === 'req_stalls' && row.state !== 'stalled' && row.attempt === '2'),
    );
    expect(['resuming', 'streaming']).toContain(resumed.rows.find((row) => row.id === 'req_stalls')!.state);

    const shot = await page.screenshot({ fullPage: true });
    const blank = await (await browser.newPage()).screenshot();
    expect(shot.byteLength).toBeGreaterThan(blank.byteLength * 5);

    const done = await drive((view) => view.inFlight === 0 && view.totals.completed === '6');
    const outcomes = await settled;
    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(done.totals).toMatchObject({ failed: '0', retries: '2', resumes: '1', stalls: '1' });
    // The same tokens as the usage the API reported, attempt by attempt (broken ones included).
    expect(done.totals.tokens).toBe(
      `${reported.input.toLocaleString('en-US')} / ${reported.output.toLocaleString('en-US')}`,
    );
    expect(done.totals.cost).toBe(`$${((reported.input * 3 + reported.output * 15) / 1e6).toFixed(4)}`);

    // The server restarts on the same port; the page reconnects on its own and catches up.
    const port = Number(new URL(dashboard.url).port);
    await dashboard.close();
    await page.waitForFunction(() => document.getElementById('connection')?.dataset.state !== 'live');
    dashboard = await startDashboard({ bus, clock, port, title: 'Bulwark test batch' });
    const after = [7, 8].map((index) =>
      client.createMessage(requestOf(index), { requestId: `req_${index}` }),
    );
    const caughtUp = await drive((view) => view.connection === 'live' && view.rows.length === 2);
    expect(caughtUp.rows.map((row) => row.id).sort()).toEqual(['req_7', 'req_8']);
    const finished = await drive((view) => view.inFlight === 0 && view.totals.completed === '2');
    expect(finished.totals.failed).toBe('0');
    await Promise.all(after);
  }, 300_000);
});
