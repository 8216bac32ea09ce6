import Anthropic from '@anthropic-ai/sdk';
import { createManualClock } from '@bulwark/core';
import { describe, expect, it, vi } from 'vitest';
import { startMockServer } from './start-mock-server.js';
import { post, startWithClient, userRequest } from './test-support/harness.js';

async function waitFor(condition: () => boolean): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error('condition not met yet');
    },
    { timeout: 10_000, interval: 5 },
  );
}

function frames(body: string): string[] {
  return body.split('\n\n').filter((frame) => frame.length > 0);
}

describe('streaming', () => {
  it('writes every SSE frame as an event: line and a data: line whose type matches', async () => {
    const { server } = await startWithClient();
    const response = await post(server, '/v1/messages', { ...userRequest('Frames'), stream: true });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await response.text();
    expect(body.endsWith('\n\n')).toBe(true);
    const all = frames(body);
    for (const frame of all) {
      const [eventLine, dataLine, ...rest] = frame.split('\n');
      expect(rest).toEqual([]);
      expect(eventLine).toMatch(/^event: [a-z_]+$/);
      const data = JSON.parse((dataLine ?? '').replace(/^data: /, '')) as { type: string };
      expect(`event: ${data.type}`).toBe(eventLine);
    }
    const start = JSON.parse((all[0] ?? '').split('\n')[1]?.slice(6) ?? '{}');
    expect(start.message.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: 1 });
    const delta = JSON.parse((all.at(-2) ?? '').split('\n')[1]?.slice(6) ?? '{}');
    expect(delta.usage.output_tokens).toBe(all.filter((frame) => frame.includes('"text_delta"')).length);
  });

  it('gives the same bytes for the same seed and request, and different text for another seed', async () => {
    const bodies: string[] = [];
    for (const seed of [3, 3, 4]) {
      const { server } = await startWithClient({ seed });
      const response = await post(server, '/v1/messages', { ...userRequest('Same'), stream: true });
      bodies.push(await response.text());
      const plain = await post(server, '/v1/messages', userRequest('Same'));
      bodies.push(await plain.text());
    }
    expect(bodies[2]).toBe(bodies[0]);
    expect(bodies[3]).toBe(bodies[1]);
    expect(bodies[4]).not.toBe(bodies[0]);
  });

  it('paces deltas at tokensPerSecond on the server clock', async () => {
    const clock = createManualClock(0);
    const { server, client } = await startWithClient({ clock, tokensPerSecond: 10, outputTokens: 30 });
    const stream = client.messages.stream(userRequest('Slowly'));
    let deltas = 0;
    stream.on('text', () => {
      deltas += 1;
    });
    const done = stream.finalMessage();
    await waitFor(() => server.requests[0]?.eventsSent === 2);
    expect(deltas).toBe(0);
    await clock.advance(1000);
    await waitFor(() => deltas === 10);
    await clock.advance(2000);
    const message = await done;
    expect(message.usage.output_tokens).toBe(30);
    expect(deltas).toBe(30);
  });

  it('sends ping events at pingIntervalMs while a paced stream is open; the SDK drops them', async () => {
    const clock = createManualClock(0);
    const { server, client } = await startWithClient({
      clock,
      tokensPerSecond: 1,
      pingIntervalMs: 250,
      outputTokens: 3,
    });
    const raw: string[] = [];
    const stream = client.messages.stream(userRequest('Ping me'));
    stream.on('streamEvent', (event) => raw.push(event.type));
    const done = stream.finalMessage();
    await waitFor(() => server.requests[0]?.eventsSent === 2);
    for (let step = 0; step < 3; step += 1) await clock.advance(1000);
    await done;
    // 3 s of pacing at one ping per 250 ms, the last one due with the final delta not sent
    expect(server.requests[0]?.pingsSent).toBe(3000 / 250 - 1);
    expect(raw).not.toContain('ping');
  });

  it('counts afterEvents without pings so a drop cuts at a predictable token', async () => {
    const { server, client } = await startWithClient({
      faults: { schedule: { 1: { kind: 'drop', afterEvents: 12 } } },
    });
    const request = userRequest('Cut');
    let text = '';
    const stream = client.messages.stream(request);
    stream.on('text', (delta) => {
      text += delta;
    });
    await stream.finalMessage().catch(() => undefined);
    const full = server.expectedText(request);
    // events: message_start, content_block_start, then ten deltas of one token each
    expect(server.requests[0]?.outputTokens).toBe(10);
    expect(text.length).toBeGreaterThan(0);
    expect(full.startsWith(text)).toBe(true);
  });

  it('closes while a paced stream is open: the client sees the connection end and no timer is left', async () => {
    const clock = createManualClock(0);
    const server = await startMockServer({ clock, tokensPerSecond: 5, pingIntervalMs: 100 });
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    const stream = client.messages.stream(userRequest('Interrupted'));
    const done = stream.finalMessage().then(
      () => 'completed',
      () => 'failed',
    );
    await waitFor(() => server.requests[0]?.eventsSent === 2);
    expect(clock.pendingTimers).toBeGreaterThan(0);
    await server.close();
    expect(await done).toBe('failed');
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps per-request overhead small: 200 streamed requests through the SDK', async () => {
    const { server, client } = await startWithClient({ outputTokens: { min: 40, max: 400 } });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        client.messages.stream(userRequest(`Question ${index % 30}`)).finalMessage(),
      ),
    );
    expect(results.every((message) => message.stop_reason === 'end_turn')).toBe(true);
    expect(server.stats).toMatchObject({ streams: 200, completed: 200 });
  });
});
