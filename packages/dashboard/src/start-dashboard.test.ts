import { request } from 'node:http';
import { createBus, createManualClock, InvalidArgumentError } from '@bulwark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from './start-dashboard.js';
import { script } from './test-support/events.js';
import { openSse, type SseClient, waitFor } from './test-support/sse-client.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function started(options: Partial<Parameters<typeof startDashboard>[0]> = {}) {
  const bus = createBus();
  const clock = createManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
  const dashboard = await startDashboard({ bus, clock, ...options });
  open.push(dashboard);
  return { bus, clock, dashboard, base: new URL(dashboard.url).origin };
}

async function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const call = request(url, { headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      });
      call.on('error', reject);
      call.end();
    },
  );
}

async function sse(dashboard: Dashboard, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await openSse(`${new URL(dashboard.url).origin}/events`, headers);
  open.push(client);
  return client;
}

describe('startDashboard endpoints', () => {
  it('binds 127.0.0.1 on a free port by default and answers /healthz', async () => {
    const { dashboard, base } = await started();
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const health = await get(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', clients: 0 });
  });

  it('serves the page and its assets from the package, uPlot included, with a strict CSP', async () => {
    const { base } = await started();
    const page = await get(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/assets/dashboard.js"');
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
    for (const asset of ['dashboard.js', 'dashboard.css', 'uPlot.iife.min.js', 'uPlot.min.css']) {
      expect((await get(`${base}/assets/${asset}`)).status).toBe(200);
    }
    expect((await get(`${base}/nothing`)).status).toBe(404);
  });

  it('exports the OTel figures in Prometheus text on /metrics', async () => {
    const { bus, base } = await started();
    script.complete(bus, 'req_1', 200);
    bus.emit('retry:scheduled', {
      requestId: 'req_2',
      model: 'claude-sonnet-4-6',
      attempt: 1,
      nextAttempt: 2,
      delayMs: 100,
      reason: 'overloaded',
      resume: false,
    });
    bus.emit('ratelimit:admit', {
      model: 'claude-sonnet-4-6',
      modelClass: 'claude-sonnet-4',
      inputTokens: 10,
      outputTokens: 10,
      waitedMs: 0,
      levels: { requests: { available: 30, capacity: 120 } },
    });
    const metrics = await get(`${base}/metrics`);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain(
      'gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="anthropic",gen_ai_request_model="claude-sonnet-4-6",gen_ai_token_type="output"} 200',
    );
    expect(metrics.body).toMatch(/gen_ai_client_operation_duration_seconds_count\{[^}]*\} 1/);
    expect(metrics.body).toMatch(/bulwark_retries_total\{[^}]*bulwark_retry_reason="overloaded"\} 1/);
    expect(metrics.body).toContain(
      'bulwark_ratelimit_bucket_level_ratio{bulwark_ratelimit_model_class="claude-sonnet-4",bulwark_ratelimit_bucket="requests"} 0.25',
    );
    expect(metrics.body).toMatch(/bulwark_cost_usd_total\{[^}]*\} 0\.0033/);
  });

  it('refuses other methods', async () => {
    const { base } = await started();
    const answer = await new Promise<number>((resolve) => {
      const call = request(`${base}/`, { method: 'POST' }, (response) => resolve(response.statusCode ?? 0));
      call.end();
    });
    expect(answer).toBe(405);
  });
});

describe('access', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    const bus = createBus();
    await expect(startDashboard({ bus, host: '0.0.0.0' })).rejects.toThrow(InvalidArgumentError);
  });

  it('checks the token on every request: header, query or the cookie the page gets', async () => {
    const { base, dashboard } = await started({ token: 's3cret-token' });
    expect(dashboard.url).toMatch(/\?token=s3cret-token$/);
    expect((await get(`${base}/healthz`)).status).toBe(401);
    expect((await get(`${base}/metrics`, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(`${base}/healthz`, { authorization: 'Bearer s3cret-token' })).status).toBe(200);
    expect((await get(`${base}/healthz`, { 'x-bulwark-token': 's3cret-token' })).status).toBe(200);
    const page = await get(`${base}/?token=s3cret-token`);
    expect(page.status).toBe(200);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect((await get(`${base}/assets/dashboard.js`, { cookie })).status).toBe(200);
    expect((await get(`${base}/events?token=nope`)).status).toBe(401);
  });

  it('without a token, answers only requests addressed to a loopback name', async () => {
    const { base } = await started();
    expect((await get(`${base}/healthz`, { host: 'attacker.example' })).status).toBe(401);
    expect((await get(`${base}/healthz`, { host: 'localhost:1234' })).status).toBe(200);
  });
});

describe('GET /events', () => {
  it('sends a snapshot, then coalesces any number of events into at most one patch per 250 ms', async () => {
    const { bus, clock, dashboard } = await started();
    script.start(bus, 'req_a');
    const client = await sse(dashboard);
    await client.until(1);
    expect(client.frames[0]).toMatchObject({ event: 'snapshot' });
    expect((client.frames[0]!.data as { requests: unknown[] }).requests).toHaveLength(1);
    for (let tokens = 1; tokens <= 1_000; tokens += 1) script.progress(bus, 'req_a', tokens);
    clock.tick(250);
    await client.until(2);
    clock.tick(250); // nothing changed: nothing sent
    const patch = client.frames[1]!;
    expect(patch.event).toBe('patch');
    expect((patch.data as { upserts: unknown[][] }).upserts).toEqual([
      expect.arrayContaining(['req_a', 'claude-sonnet-4-6', 'streaming', 1, 1_000, 1_000, 100]),
    ]);
    script.end(bus, 'req_a', 1_000);
    clock.tick(250);
    await client.until(3);
    expect(client.frames).toHaveLength(3);
    expect(client.frames[2]!.data).toMatchObject({ removed: ['req_a'] });
  });

  it('replays the frames a reconnecting client missed from Last-Event-ID', async () => {
    const { bus, clock, dashboard } = await started();
    const first = await sse(dashboard);
    await first.until(1);
    script.start(bus, 'req_1');
    clock.tick(250);
    await first.until(2);
    const seenId = first.frames[1]!.id;
    const watcher = await sse(dashboard); // keeps frames coming while the first is away
    first.close();
    await watcher.until(1);
    script.start(bus, 'req_2');
    clock.tick(250);
    script.start(bus, 'req_3');
    clock.tick(250);
    await watcher.until(3);
    const again = await sse(dashboard, { 'last-event-id': seenId });
    await again.until(2);
    expect(again.frames.map((frame) => frame.event)).toEqual(['patch', 'patch']);
    expect(again.frames.map((frame) => (frame.data as { upserts: string[][] }).upserts[0]![0])).toEqual([
      'req_2',
      'req_3',
    ]);
  });

  it('sends a full snapshot for an id of another server run', async () => {
    const { bus, dashboard } = await started();
    script.start(bus, 'req_1');
    const client = await sse(dashboard, { 'last-event-id': 'otherepoch-12' });
    await client.until(1);
    expect(client.frames[0]!.event).toBe('snapshot');
  });

  it('ends the streams on close, and a new server on the same port takes the client back', async () => {
    const { bus, clock, dashboard } = await started();
    const client = await sse(dashboard);
    await client.until(1);
    const port = Number(new URL(dashboard.url).port);
    await dashboard.close();
    const restarted = await startDashboard({ bus, clock, port });
    open.push(restarted);
    script.start(bus, 'req_after');
    const back = await sse(restarted, { 'last-event-id': client.frames[0]!.id });
    await back.until(1);
    expect(back.frames[0]!.event).toBe('snapshot');
    expect((back.frames[0]!.data as { requests: string[][] }).requests[0]![0]).toBe('req_after');
    expect(bus.listenerCount('request:start')).toBe(1);
  });

  it('stops its frame timer when the last client leaves', async () => {
    const { clock, dashboard } = await started();
    const client = await sse(dashboard);
    await client.until(1);
    expect(clock.pendingTimers).toBe(1);
    client.close();
    await waitFor(() => clock.pendingTimers === 0);
  });
});
