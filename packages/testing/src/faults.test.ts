import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { Fault } from './fault.js';
import { failureOf, post, startWithClient, userRequest } from './test-support/harness.js';

const withFault = (fault: Fault) => ({ headers: { 'x-bulwark-fault': JSON.stringify(fault) } });

describe('faults', () => {
  it('answers a 529 overloaded_error with x-should-retry: true, which the SDK retries', async () => {
    const { server, client } = await startWithClient(
      { faults: { schedule: { 1: { kind: 'status', status: 529, retryAfterSeconds: 0.01 } } } },
      { maxRetries: 1 },
    );
    const message = await client.messages.create(userRequest('Hi'));
    expect(message.type).toBe('message');
    expect(server.requests.map((entry) => entry.status)).toEqual([529, 200]);
    expect(server.requests[0]?.fault).toMatchObject({ kind: 'status', status: 529 });
    const raw = await post(server, '/v1/messages', userRequest('Hi'), {
      'x-bulwark-fault': JSON.stringify({ kind: 'status', status: 529 }),
    });
    expect(raw.headers.get('x-should-retry')).toBe('true');
    expect(await raw.json()).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('surfaces status faults as the SDK error class of that status', async () => {
    const { client } = await startWithClient();
    const overloaded = await failureOf(
      client.messages.create(userRequest('Hi'), withFault({ kind: 'status', status: 529 })),
    );
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect(overloaded.type).toBe('overloaded_error');
    const internal = await failureOf(
      client.messages.create(userRequest('Hi'), withFault({ kind: 'status', status: 500 })),
    );
    expect(internal).toBeInstanceOf(Anthropic.InternalServerError);
    expect(internal.type).toBe('api_error');
    const limited = await failureOf(
      client.messages.create(
        userRequest('Hi'),
        withFault({ kind: 'status', status: 429, retryAfterSeconds: 7 }),
      ),
    );
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(limited.headers?.get('retry-after')).toBe('7');
  });

  it('answers a spend limit with 429, no retry-after and enforced_spend_limit_reached until reset', async () => {
    const { server, client } = await startWithClient({
      faults: { schedule: { 1: { kind: 'spend_limit' } } },
    });
    const first = (await failureOf(client.messages.create(userRequest('Hi')))) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(first).toBeInstanceOf(Anthropic.RateLimitError);
    expect(first.type).toBe('rate_limit_error');
    expect(first.errorCode).toBe('enforced_spend_limit_reached');
    expect(first.headers?.get('retry-after')).toBeNull();
    const second = (await failureOf(client.messages.create(userRequest('Hi')))) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(second.errorCode).toBe('enforced_spend_limit_reached');
    server.reset();
    server.setFaults(undefined);
    await expect(client.messages.create(userRequest('Hi'))).resolves.toMatchObject({ type: 'message' });
  });

  it('destroys the socket before headers on reset_before_headers: a connection error the SDK retries', async () => {
    const { server, client } = await startWithClient(
      { faults: { schedule: { 1: { kind: 'reset_before_headers' } } } },
      { maxRetries: 0 },
    );
    const error = await failureOf(client.messages.create(userRequest('Hi')));
    expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
    expect(server.requests[0]?.status).toBe(0);
    const retrying = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 1 });
    server.reset();
    server.setFaults({ schedule: { 1: { kind: 'reset_before_headers' } } });
    await expect(retrying.messages.create(userRequest('Hi'))).resolves.toMatchObject({ type: 'message' });
    expect(server.requests.map((entry) => entry.status)).toEqual([0, 200]);
  });

  it('drops the socket after N events: the stream fails with terminated and keeps the partial text', async () => {
    const { server, client } = await startWithClient();
    const request = userRequest('Hi');
    const stream = client.messages.stream(request, withFault({ kind: 'drop', afterEvents: 5 }));
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const error = await failureOf(stream.finalMessage());
    expect(error).toBeInstanceOf(Anthropic.AnthropicError);
    expect(String(error.message) + String((error.cause as Error | undefined)?.message)).toMatch(/terminated/);
    // message_start, content_block_start, then three text deltas
    const expected = server.expectedText(request);
    expect(expected.startsWith(text)).toBe(true);
    expect(server.requests[0]).toMatchObject({ eventsSent: 5, outputTokens: 3 });
    expect(text.length).toBeGreaterThan(0);
  });

  it('ends cleanly without message_stop on close_without_stop: finalMessage rejects, no error event', async () => {
    const { client } = await startWithClient();
    const stream = client.messages.stream(
      userRequest('Hi'),
      withFault({ kind: 'close_without_stop', afterEvents: 4 }),
    );
    let errored = false;
    stream.on('error', () => {
      errored = true;
    });
    const error = await failureOf(stream.finalMessage());
    expect(error.message).toMatch(/stream ended without producing a Message/);
    expect(errored).toBe(false);
  });

  it('sends a mid-stream error event: an APIError with type overloaded_error and no status', async () => {
    const { server, client } = await startWithClient();
    const stream = client.messages.stream(
      userRequest('Hi'),
      withFault({ kind: 'error_event', afterEvents: 3 }),
    );
    const error = await failureOf(stream.finalMessage());
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.status).toBeUndefined();
    expect(error.type).toBe('overloaded_error');
    expect(server.requests[0]?.errorType).toBe('overloaded_error');
  });

  it('sends a malformed frame: the SDK fails parsing JSON', async () => {
    const { client } = await startWithClient();
    const stream = client.messages.stream(
      userRequest('Hi'),
      withFault({ kind: 'malformed', afterEvents: 3 }),
    );
    const error = await failureOf(stream.finalMessage());
    expect(error.message).toMatch(/JSON/);
  });

  it('stalls a stream for durationMs on the server clock, then finishes it', async () => {
    const { createManualClock } = await import('@bulwark/core');
    const clock = createManualClock(1_000_000);
    const { server, client } = await startWithClient({ clock, pingIntervalMs: 100 });
    const stream = client.messages.stream(
      userRequest('Hi'),
      withFault({ kind: 'stall', afterEvents: 3, durationMs: 5000, pings: true }),
    );
    let deltas = 0;
    stream.on('text', () => {
      deltas += 1;
    });
    const finished = stream.finalMessage();
    await vitestWaitFor(() => deltas === 1);
    expect(server.requests[0]?.eventsSent).toBe(3);
    await clock.advance(5000);
    const message = await finished;
    expect(message.stop_reason).toBe('end_turn');
    // pings every 100 ms inside the stall; one due the moment the stall ends is not sent
    expect(server.requests[0]?.pingsSent).toBe(5000 / 100 - 1);
  });

  it('delays headers on slow_headers and then answers normally', async () => {
    const { createManualClock } = await import('@bulwark/core');
    const clock = createManualClock(0);
    const { server, client } = await startWithClient({ clock });
    const pending = client.messages.create(
      userRequest('Hi'),
      withFault({ kind: 'slow_headers', delayMs: 30_000 }),
    );
    await vitestWaitFor(() => clock.pendingTimers === 1);
    expect(server.requests[0]?.status).toBe(0);
    await clock.advance(30_000);
    await expect(pending).resolves.toMatchObject({ type: 'message' });
    expect(server.requests[0]?.status).toBe(200);
  });

  it('draws random faults from the seed: the same seed faults the same request numbers', async () => {
    const plan = {
      random: { probability: 0.3, faults: [{ kind: 'status', status: 500 } as Fault] },
    };
    const statuses = async (seed: number) => {
      const { server, client } = await startWithClient({ seed, faults: plan });
      for (let index = 0; index < 30; index += 1) {
        await client.messages.create(userRequest('Hi')).catch(() => undefined);
      }
      return server.requests.map((entry) => entry.status);
    };
    const first = await statuses(5);
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await statuses(5)).toEqual(first);
  });

  it('refuses a malformed x-bulwark-fault header with 400 naming the field', async () => {
    const { server } = await startWithClient();
    const response = await post(server, '/v1/messages', userRequest('Hi'), {
      'x-bulwark-fault': JSON.stringify({ kind: 'drop' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/afterEvents/);
  });

  it('turns stream faults on a non-streaming request into a cut body or a status answer', async () => {
    const { client } = await startWithClient();
    const dropped = await failureOf(
      client.messages.create(userRequest('Hi'), withFault({ kind: 'drop', afterEvents: 3 })),
    );
    expect(dropped).toBeInstanceOf(Error);
    expect(dropped).not.toBeInstanceOf(Anthropic.APIError);
    expect(dropped.message).toMatch(/terminated/);
    const cut = await failureOf(
      client.messages.create(userRequest('Hi'), withFault({ kind: 'close_without_stop', afterEvents: 3 })),
    );
    expect(cut.message).toMatch(/JSON/);
    const overloaded = await failureOf(
      client.messages.create(userRequest('Hi'), withFault({ kind: 'error_event', afterEvents: 3 })),
    );
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect(overloaded.type).toBe('overloaded_error');
  });
});

async function vitestWaitFor(condition: () => boolean): Promise<void> {
  const { vi } = await import('vitest');
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error('not yet');
    },
    { timeout: 10_000, interval: 5 },
  );
}
