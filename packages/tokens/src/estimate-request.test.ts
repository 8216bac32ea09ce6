import type Anthropic from '@anthropic-ai/sdk';
import { InvalidArgumentError } from '@bulwark/core';
import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { imageTokens, requestOverheads } from './request-overheads.js';
import { createTokenEstimator } from './token-estimator.js';

const reference = getEncoding('cl100k_base');
const count = (text: string) => reference.encode(text).length;

function base64(bytes: number[]): string {
  return Buffer.from(bytes).toString('base64');
}

/** A PNG signature and IHDR chunk: enough for a header reader. */
function pngHeader(width: number, height: number): string {
  const bytes = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...Buffer.from('IHDR')];
  for (const value of [width, height])
    bytes.push((value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
  return base64([...bytes, 8, 6, 0, 0, 0]);
}

function request(
  content: Anthropic.MessageParam['content'],
  extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {},
): Anthropic.MessageCreateParamsNonStreaming {
  return { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content }], ...extra };
}

async function estimate(body: Anthropic.MessageCreateParamsNonStreaming) {
  return createTokenEstimator().estimateRequest(body);
}

describe('estimateRequest', () => {
  it('adds up the text of every message and the documented overheads', async () => {
    const body: Anthropic.MessageCreateParamsNonStreaming = {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      system: 'You are terse.',
      messages: [
        { role: 'user', content: 'Hello there' },
        { role: 'assistant', content: 'Hi.' },
        { role: 'user', content: [{ type: 'text', text: 'How are you?' }] },
      ],
    };
    const result = await estimate(body);
    const text = count('You are terse.') + count('Hello there') + count('Hi.') + count('How are you?');
    const overhead =
      requestOverheads.requestTokens + requestOverheads.systemTokens + 3 * requestOverheads.messageTokens;
    expect(result.rawTokens).toBe(text + overhead);
    expect(result.breakdown.reduce((sum, part) => sum + part.tokens, 0)).toBe(result.rawTokens);
    expect(result.exact).toBe(true);
  });

  it('counts system blocks one by one', async () => {
    const result = await estimate(
      request('x', {
        system: [
          { type: 'text', text: 'one rule' },
          { type: 'text', text: 'two rules' },
        ],
      }),
    );
    expect(
      result.breakdown.filter((part) => part.path.startsWith('system[')).map((part) => part.tokens),
    ).toEqual([count('one rule'), count('two rules')]);
  });

  it('applies the calibration ratio of the model family to the raw count', async () => {
    const estimator = createTokenEstimator({ calibrationPriors: { 'claude-sonnet-4': 1.5 } });
    const result = await estimator.estimateRequest(request('some words to count'));
    expect(result.modelFamily).toBe('claude-sonnet-4');
    expect(result.calibrationRatio).toBe(1.5);
    expect(result.inputTokens).toBe(Math.ceil(result.rawTokens * 1.5));
  });

  it('puts unknown models in the default family', async () => {
    const result = await estimate({ ...request('hi'), model: 'my-proxy-model' });
    expect(result.modelFamily).toBe('default');
  });

  it('counts a base64 image from its header with width × height / 750', async () => {
    const result = await estimate(
      request([
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pngHeader(600, 400) } },
      ]),
    );
    const image = result.breakdown.find((part) => part.kind === 'image')!;
    expect(image.tokens).toBe(Math.ceil((600 * 400) / 750));
    expect(image.exact).toBe(true);
  });

  it('scales a large image down the way the API does before counting it', () => {
    expect(imageTokens(4000, 4000)).toBe(Math.ceil((1092 * 1092) / 750));
    expect(imageTokens(3136, 1000)).toBe(Math.ceil((1568 * 500) / 750));
  });

  it('marks an image given by URL as a guess and says why', async () => {
    const result = await estimate(
      request([{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }]),
    );
    expect(result.exact).toBe(false);
    expect(result.breakdown.find((part) => part.kind === 'image')?.note).toMatch(/unknown size/);
  });

  it('marks a PDF as a guess, from its page objects when it has them', async () => {
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj <</Type /Pages /Count 2>>\n2 0 obj <</Type /Page>>\n3 0 obj <</Type/Page>>\n',
    ).toString('base64');
    const result = await estimate(
      request([{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf } }]),
    );
    const part = result.breakdown.find((candidate) => candidate.kind === 'pdf')!;
    expect(part.exact).toBe(false);
    expect(part.tokens).toBe(requestOverheads.documentTokens + 2 * requestOverheads.pdfPageTokens);
    expect(part.note).toMatch(/2 page/);
  });

  it('says a PDF by URL has an unknown page count', async () => {
    const result = await estimate(
      request([{ type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } }]),
    );
    expect(result.exact).toBe(false);
    expect(result.breakdown.find((part) => part.kind === 'pdf')?.note).toMatch(/page count unknown/);
  });

  it('counts a plain-text document with its title and context', async () => {
    const result = await estimate(
      request([
        {
          type: 'document',
          title: 'Notes',
          context: 'from a meeting',
          source: { type: 'text', media_type: 'text/plain', data: 'We agreed.' },
        },
      ]),
    );
    const part = result.breakdown.find((candidate) => candidate.kind === 'document')!;
    expect(part.tokens).toBe(
      requestOverheads.documentTokens + count('Notes') + count('from a meeting') + count('We agreed.'),
    );
    expect(result.exact).toBe(true);
  });

  it('counts tool calls, tool results, thinking and search results', async () => {
    const body: Anthropic.MessageCreateParamsNonStreaming = {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should call the tool.', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: 'Sunny, 21 °C' },
                {
                  type: 'search_result',
                  source: 'https://example.com',
                  title: 'Weather',
                  content: [{ type: 'text', text: 'Sunny' }],
                },
              ],
            },
          ],
        },
      ],
    };
    const result = await estimate(body);
    const byPath = Object.fromEntries(
      result.breakdown.map((part) => [`${part.path}:${part.kind}`, part.tokens]),
    );
    expect(byPath['messages[1].content[0]:thinking']).toBe(count('I should call the tool.'));
    expect(byPath['messages[1].content[1]:tool_use']).toBe(
      count('get_weather') + count('{"city":"Paris"}') + requestOverheads.toolUseTokens,
    );
    expect(byPath['messages[2].content[0].content[0]:text']).toBe(count('Sunny, 21 °C'));
    expect(byPath['messages[2].content[0].content[1]:search_result']).toBe(
      requestOverheads.documentTokens + count('https://example.com') + count('Weather') + count('Sunny'),
    );
  });

  it('marks redacted thinking as a guess', async () => {
    const result = await estimate({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'AAAAAAAAAAAAAAAA' }] },
      ],
    });
    expect(result.exact).toBe(false);
  });

  it('counts tool definitions with their JSON schema and the tool-use system prompt', async () => {
    const schema = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };
    const result = await estimate(
      request('hi', { tools: [{ name: 'get_weather', description: 'Weather now', input_schema: schema }] }),
    );
    const tool = result.breakdown.find((part) => part.kind === 'tool_definition')!;
    expect(tool.tokens).toBe(
      count('get_weather') +
        count('Weather now') +
        count(JSON.stringify(schema)) +
        requestOverheads.toolDefinitionTokens,
    );
    expect(result.breakdown.find((part) => part.path === 'tools')?.tokens).toBe(
      requestOverheads.toolSystemPromptAutoTokens,
    );
  });

  it('uses the smaller tool-use prompt when a tool is forced', async () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' as const } }];
    const result = await estimate(request('hi', { tools, tool_choice: { type: 'any' } }));
    expect(result.breakdown.find((part) => part.path === 'tools')?.tokens).toBe(
      requestOverheads.toolSystemPromptForcedTokens,
    );
  });

  it('refuses an unknown block type, naming its path', async () => {
    const error = await estimate(request([{ type: 'text', text: 'a' }, { type: 'hologram' } as never])).catch(
      (caught: unknown) => caught,
    );
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('request.messages[0].content[1].type');
  });

  it('refuses a block with a missing field, naming its path', async () => {
    const error = await estimate(request([{ type: 'tool_use', id: 'toolu_1', input: {} } as never])).catch(
      (caught: unknown) => caught,
    );
    expect((error as InvalidArgumentError).argument).toBe('request.messages[0].content[0].name');
  });

  it('refuses a message with a bad role, naming its path', async () => {
    const error = await estimate({
      model: 'm',
      max_tokens: 1,
      messages: [{ role: 'robot' as never, content: 'x' }],
    }).catch((caught: unknown) => caught);
    expect((error as InvalidArgumentError).argument).toBe('request.messages[0].role');
  });
});
