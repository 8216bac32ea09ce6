import Anthropic from '@anthropic-ai/sdk';
import { InvalidArgumentError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { startMockServer } from './start-mock-server.js';
import { post, startWithClient, userRequest } from './test-support/harness.js';

describe('startMockServer', () => {
  it('answers messages.create with a text message whose usage matches the log', async () => {
    const { server, client } = await startWithClient();
    const message = await client.messages.create(userRequest('Hello'));
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.content[0]?.type).toBe('text');
    const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
    expect(text.length).toBeGreaterThan(0);
    expect(text).toBe(server.expectedText(userRequest('Hello')));
    const entry = server.requests[0];
    expect(entry).toMatchObject({
      index: 1,
      method: 'POST',
      path: '/v1/messages',
      status: 200,
      stream: false,
    });
    expect(message.usage.input_tokens).toBe(entry?.inputTokens);
    expect(message.usage.output_tokens).toBe(entry?.outputTokens);
    expect(message.usage.input_tokens).toBe(server.tokenizer.countRequest(userRequest('Hello')));
  });

  it('streams the same content through messages.create with stream: true', async () => {
    const { server, client } = await startWithClient();
    const stream = await client.messages.create({ ...userRequest('Hello'), stream: true });
    const types: string[] = [];
    let text = '';
    let outputTokens = 0;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') outputTokens = event.usage.output_tokens;
    }
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(text).toBe(server.expectedText(userRequest('Hello')));
    expect(outputTokens).toBe(types.filter((type) => type === 'content_block_delta').length);
    expect(server.requests[0]?.eventsSent).toBe(types.length);
  });

  it('gives messages.stream() text events and a final message equal to the non-streamed one', async () => {
    const { client } = await startWithClient();
    const plain = await client.messages.create(userRequest('Same question'));
    const stream = client.messages.stream(userRequest('Same question'));
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const final = await stream.finalMessage();
    expect(final.content).toEqual(plain.content);
    expect(final.usage.output_tokens).toBe(plain.usage.output_tokens);
    expect(final.stop_reason).toBe(plain.stop_reason);
    expect(deltas.length).toBe(plain.usage.output_tokens);
    expect(stream.request_id).toMatch(/^req_/);
  });

  it('caps the answer at max_tokens with stop_reason max_tokens, and ends sentences with end_turn', async () => {
    const { client } = await startWithClient({ outputTokens: 50 });
    const capped = await client.messages.create(userRequest('Long', { max_tokens: 7 }));
    expect(capped.stop_reason).toBe('max_tokens');
    expect(capped.usage.output_tokens).toBe(7);
    const full = await client.messages.create(userRequest('Long', { max_tokens: 500 }));
    expect(full.stop_reason).toBe('end_turn');
    expect(full.usage.output_tokens).toBe(50);
    const cappedText = capped.content[0]?.type === 'text' ? capped.content[0].text : '';
    const fullText = full.content[0]?.type === 'text' ? full.content[0].text : '';
    expect(fullText.startsWith(cappedText)).toBe(true);
    expect(fullText.endsWith('.')).toBe(true);
  });

  it('counts tokens with messages.countTokens using its own tokenizer', async () => {
    const { server, client } = await startWithClient({ tokenizer: { ratio: 2, messageOverheadTokens: 10 } });
    const params = {
      model: 'claude-haiku-4-5',
      system: 'You are terse.',
      messages: [{ role: 'user' as const, content: 'How many tokens is this sentence?' }],
    };
    const counted = await client.messages.countTokens(params);
    expect(counted.input_tokens).toBe(server.tokenizer.countRequest(params));
    expect(counted.input_tokens).toBe(
      server.tokenizer.countText('You are terse.') +
        server.tokenizer.countText('How many tokens is this sentence?') +
        10 +
        6,
    );
    const message = await client.messages.create({ ...params, max_tokens: 10 });
    expect(message.usage.input_tokens).toBe(counted.input_tokens);
  });

  it('sends a request-id header on every response and the API error body shape', async () => {
    const { server } = await startWithClient();
    const response = await post(server, '/v1/messages', { model: 'claude-haiku-4-5', messages: [] });
    expect(response.status).toBe(400);
    const requestId = response.headers.get('request-id');
    expect(requestId).toMatch(/^req_/);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
      request_id: requestId,
    });
  });

  it('refuses a wrong or missing key with 401 authentication_error when a key is configured', async () => {
    const { server, client } = await startWithClient({ apiKey: 'test-key' }, { apiKey: 'wrong-key' });
    const error = await client.messages.create(userRequest('Hi')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('authentication_error');
    const viaHeader = await post(server, '/v1/messages', userRequest('Hi'), { 'x-api-key': 'test-key' });
    expect(viaHeader.status).toBe(200);
    const good = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    await expect(good.messages.create(userRequest('Hi'))).resolves.toMatchObject({ type: 'message' });
  });

  it.each([
    [{ max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, 'model: Field required'],
    [{ model: 'claude-haiku-4-5', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
    [{ model: 'claude-haiku-4-5', max_tokens: 10, messages: [] }, 'at least one message'],
    [{ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'system', content: 'x' }] }, 'role'],
    [
      {
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'video' }] }],
      },
      "Input tag 'video'",
    ],
    [
      {
        model: 'claude-haiku-4-5',
        max_tokens: 5000,
        thinking: { type: 'enabled', budget_tokens: 512 },
        messages: [{ role: 'user', content: 'x' }],
      },
      'budget_tokens',
    ],
    [
      {
        model: 'claude-haiku-4-5',
        max_tokens: 2000,
        thinking: { type: 'enabled', budget_tokens: 2000 },
        messages: [{ role: 'user', content: 'x' }],
      },
      '`max_tokens` must be greater than `thinking.budget_tokens`',
    ],
  ])('refuses an invalid request with 400 invalid_request_error (%#)', async (body, message) => {
    const { server } = await startWithClient();
    const response = await post(server, '/v1/messages', body);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { type: string; message: string } };
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.message).toContain(message);
  });

  it('answers unknown paths with 404 not_found_error and bad JSON with 400', async () => {
    const { server } = await startWithClient();
    expect((await post(server, '/v1/complete', {})).status).toBe(404);
    const bad = await post(server, '/v1/messages', '{not json');
    expect(bad.status).toBe(400);
  });

  it('answers a known path with another method with 405 and allow: POST', async () => {
    const { server } = await startWithClient();
    const response = await fetch(`${server.url}/v1/messages`, { headers: { 'x-api-key': 'test-key' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      status: 405,
      errorType: 'invalid_request_error',
    });
  });

  it('logs every request and reset() clears the log, stats and counters', async () => {
    const { server, client } = await startWithClient();
    await client.messages.create(userRequest('One'));
    await client.messages.countTokens({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'Two' }],
    });
    const log = server.requests;
    expect(log.map((entry) => entry.path)).toEqual(['/v1/messages', '/v1/messages/count_tokens']);
    expect(log[0]?.messageIndex).toBe(1);
    expect(log[1]?.messageIndex).toBeUndefined();
    expect(server.stats).toMatchObject({ requests: 2, messages: 1, completed: 2 });
    server.reset();
    expect(server.requests).toBe(log);
    expect(log).toHaveLength(0);
    expect(server.stats).toMatchObject({ requests: 0, messages: 0, completed: 0 });
    await client.messages.create(userRequest('Three'));
    expect(server.requests[0]).toMatchObject({ index: 1, messageIndex: 1 });
  });

  it('closes with keep-alive connections open and leaves no server listening', async () => {
    const server = await startMockServer();
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    await client.messages.create(userRequest('Keep alive'));
    await server.close();
    await server.close();
    await expect(client.messages.create(userRequest('After close'))).rejects.toBeInstanceOf(
      Anthropic.APIConnectionError,
    );
  });

  it('refuses unknown and out-of-range options with InvalidArgumentError naming the option', async () => {
    await expect(startMockServer({ seeed: 1 } as never)).rejects.toThrow(/options\.seeed/);
    await expect(startMockServer({ tokensPerSecond: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(startMockServer({ outputTokens: { min: 10, max: 5 } })).rejects.toThrow(/outputTokens\.max/);
    await expect(startMockServer({ faults: { schedule: { 1: { kind: 'drop' } as never } } })).rejects.toThrow(
      /afterEvents/,
    );
  });
});
