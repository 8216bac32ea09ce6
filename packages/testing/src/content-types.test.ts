import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { startWithClient, userRequest } from './test-support/harness.js';

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: {
    type: 'object' as const,
    properties: {
      city: { type: 'string' },
      days: { type: 'integer' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      detailed: { type: 'boolean' },
    },
    required: ['city'],
  },
};

const thinkingRequest = userRequest('Think first', {
  max_tokens: 3000,
  thinking: { type: 'enabled', budget_tokens: 1024 },
});

const toolRequest = userRequest('Weather in Paris?', {
  tools: [weatherTool],
  tool_choice: { type: 'tool', name: 'get_weather' },
});

describe('content types', () => {
  it('returns a thinking block with a signature before the text when thinking is enabled', async () => {
    const { server, client } = await startWithClient();
    const message = await client.messages.create(thinkingRequest);
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    const thinking = message.content[0];
    expect(thinking?.type === 'thinking' && thinking.thinking.length > 0).toBe(true);
    expect(thinking?.type === 'thinking' && thinking.signature.length > 0).toBe(true);
    const text = message.content[1]?.type === 'text' ? message.content[1].text : '';
    expect(text).toBe(server.expectedText(thinkingRequest));
  });

  it('streams thinking_delta then signature_delta to messages.stream() thinking and signature events', async () => {
    const { client } = await startWithClient();
    const plain = await client.messages.create(thinkingRequest);
    const stream = client.messages.stream(thinkingRequest);
    const order: string[] = [];
    let thinking = '';
    let signature = '';
    stream.on('thinking', (delta) => {
      thinking += delta;
      if (order.at(-1) !== 'thinking') order.push('thinking');
    });
    stream.on('signature', (value) => {
      signature = value;
      order.push('signature');
    });
    stream.on('text', () => {
      if (order.at(-1) !== 'text') order.push('text');
    });
    const final = await stream.finalMessage();
    expect(order).toEqual(['thinking', 'signature', 'text']);
    expect(final.content).toEqual(plain.content);
    expect(plain.content[0]).toMatchObject({ type: 'thinking', thinking, signature });
  });

  it('counts thinking and text deltas as output tokens within max_tokens', async () => {
    const { client } = await startWithClient({ outputTokens: 5000 });
    const message = await client.messages.create(thinkingRequest);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(thinkingRequest.max_tokens);
  });

  it('answers a forced tool_choice with a tool_use block whose input fits the schema', async () => {
    const { server, client } = await startWithClient();
    const message = await client.messages.create(toolRequest);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toHaveLength(1);
    const block = message.content[0];
    if (block?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(block.name).toBe('get_weather');
    expect(block.id).toMatch(/^toolu_/);
    const input = block.input as Record<string, unknown>;
    expect(typeof input.city).toBe('string');
    expect(Number.isInteger(input.days)).toBe(true);
    expect(['celsius', 'fahrenheit']).toContain(input.unit);
    expect(typeof input.detailed).toBe('boolean');
    expect(server.expectedText(toolRequest)).toBe('');
  });

  it('streams tool input as input_json_delta to inputJson events, parsed by finalMessage()', async () => {
    const { client } = await startWithClient();
    const plain = await client.messages.create(toolRequest);
    const stream = client.messages.stream(toolRequest);
    let json = '';
    let pieces = 0;
    stream.on('inputJson', (partial) => {
      json += partial;
      pieces += 1;
    });
    const final = await stream.finalMessage();
    const block = final.content[0];
    if (block?.type !== 'tool_use' || plain.content[0]?.type !== 'tool_use')
      throw new Error('expected tool_use');
    expect(block.input).toEqual(plain.content[0].input);
    expect(JSON.parse(json)).toEqual(block.input);
    expect(pieces).toBeGreaterThan(1);
    expect(final.usage.output_tokens).toBe(pieces);
  });

  it('picks a tool by seed for tool_choice any and answers text for auto', async () => {
    const { client } = await startWithClient();
    const tools = [weatherTool, { ...weatherTool, name: 'get_time' }];
    const any = await client.messages.create(
      userRequest('Pick one', { tools, tool_choice: { type: 'any' } }),
    );
    expect(any.content[0]?.type).toBe('tool_use');
    const again = await client.messages.create(
      userRequest('Pick one', { tools, tool_choice: { type: 'any' } }),
    );
    expect(again.content[0]?.type === 'tool_use' && again.content[0].name).toBe(
      any.content[0]?.type === 'tool_use' && any.content[0].name,
    );
    const auto = await client.messages.create(
      userRequest('Pick one', { tools, tool_choice: { type: 'auto' } }),
    );
    expect(auto.content.map((block) => block.type)).toEqual(['text']);
  });

  it('accepts every request content type and counts it, through messages.create and countTokens', async () => {
    const { server, client } = await startWithClient();
    const params = {
      model: 'claude-haiku-4-5',
      system: [{ type: 'text' as const, text: 'System prompt' }],
      tools: [weatherTool],
      messages: [
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: 'Look at this' },
            {
              type: 'image' as const,
              source: { type: 'base64' as const, media_type: 'image/png' as const, data: 'iVBORw0KGgo=' },
            },
            {
              type: 'document' as const,
              source: { type: 'text' as const, media_type: 'text/plain' as const, data: 'A plain document.' },
            },
          ],
        },
        {
          role: 'assistant' as const,
          content: [
            { type: 'tool_use' as const, id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user' as const,
          content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_01', content: 'Sunny, 21 degrees' }],
        },
      ],
    };
    const counted = await client.messages.countTokens(params);
    expect(counted.input_tokens).toBe(server.tokenizer.countRequest(params));
    expect(counted.input_tokens).toBeGreaterThan(1600);
    const message = await client.messages.create({ ...params, max_tokens: 50 });
    expect(message.usage.input_tokens).toBe(counted.input_tokens);
    expect(message.content[0]?.type).toBe('text');
  });

  it('counts tokens for requests with thinking and tools without needing max_tokens', async () => {
    const { server, client } = await startWithClient();
    const params = {
      model: 'claude-sonnet-4-6',
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      tools: [weatherTool],
      messages: [{ role: 'user' as const, content: 'Count me' }],
    };
    const counted = await client.messages.countTokens(params);
    expect(counted.input_tokens).toBe(server.tokenizer.countRequest(params));
    const withoutTools = await client.messages.countTokens({ ...params, tools: [] });
    expect(counted.input_tokens).toBeGreaterThan(withoutTools.input_tokens);
  });

  it('refuses thinking together with a forced tool choice, as the API does', async () => {
    const { client } = await startWithClient();
    await expect(
      client.messages.create({
        ...toolRequest,
        max_tokens: 3000,
        thinking: { type: 'enabled', budget_tokens: 1024 },
      }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});
