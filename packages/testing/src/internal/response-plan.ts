import type { MessagesRequest, ToolDefinition } from './messages-request.js';
import { randomFor, randomId } from './random.js';
import { type GeneratedText, generateText, tokenIndexAt } from './text-generator.js';

export type PlannedBlock =
  | { type: 'thinking'; pieces: string[]; signature: string }
  | { type: 'text'; pieces: string[] }
  | { type: 'tool_use'; id: string; name: string; input: unknown; pieces: string[] };

/** What the server answers to one valid request, before it is written as JSON or SSE. */
export interface ResponsePlan {
  messageId: string;
  blocks: PlannedBlock[];
  stopReason: 'end_turn' | 'max_tokens' | 'tool_use';
  /** Server tokens generated: one per thinking word, text delta and tool JSON piece. */
  outputTokens: number;
}

export interface GeneratorSettings {
  seed: number;
  outputTokens: { min: number; max: number };
}

const textCacheLimit = 256;

/** Deterministic answers; caches the last texts, since tests repeat the same requests. */
export class ResponseGenerator {
  readonly #settings: GeneratorSettings;
  readonly #texts = new Map<string, GeneratedText>();

  constructor(settings: GeneratorSettings) {
    this.#settings = settings;
  }

  /** The full text (before `max_tokens`) for a request key. */
  fullText(key: string): GeneratedText {
    const cached = this.#texts.get(key);
    if (cached) return cached;
    const { seed, outputTokens } = this.#settings;
    const lengthRandom = randomFor(seed, 'length', key);
    const length = outputTokens.min + Math.floor(lengthRandom() * (outputTokens.max - outputTokens.min + 1));
    const generated = generateText(seed, key, length);
    if (this.#texts.size >= textCacheLimit) {
      const oldest = this.#texts.keys().next();
      if (!oldest.done) this.#texts.delete(oldest.value);
    }
    this.#texts.set(key, generated);
    return generated;
  }

  /** The thinking words of a request with thinking enabled. */
  thinking(request: MessagesRequest): { pieces: string[]; signature: string } {
    const budget = request.thinkingBudgetTokens ?? 0;
    const random = randomFor(this.#settings.seed, 'thinking-length', request.baseKey);
    const wanted = 16 + Math.floor(random() * 48);
    const count = Math.max(1, Math.min(wanted, budget, request.maxTokens - 1));
    const generated = generateText(this.#settings.seed, `thinking\u0000${request.baseKey}`, count);
    return {
      pieces: generated.tokens,
      signature: `Eq${randomId(randomFor(this.#settings.seed, 'signature', request.baseKey), 86)}==`,
    };
  }

  /** The uninterrupted text for `request` with its continuation removed, capped by `max_tokens`. */
  expectedText(request: MessagesRequest): string {
    if (this.#forcedTool(request)) return '';
    const budget =
      request.maxTokens - (request.thinkingBudgetTokens ? this.thinking(request).pieces.length : 0);
    const full = this.fullText(request.baseKey);
    const end = Math.min(full.tokens.length, Math.max(0, budget));
    return full.text.slice(0, full.offsets[end]);
  }

  plan(request: MessagesRequest, requestIndex: number): ResponsePlan {
    const { seed } = this.#settings;
    const messageId = `msg_01${randomId(randomFor(seed, 'message-id', String(requestIndex), request.fullKey), 22)}`;
    const blocks: PlannedBlock[] = [];
    let outputTokens = 0;
    if (request.thinkingBudgetTokens !== undefined) {
      const thinking = this.thinking(request);
      blocks.push({ type: 'thinking', ...thinking });
      outputTokens += thinking.pieces.length;
    }
    const tool = this.#forcedTool(request);
    if (tool) {
      const input = inputForSchema(tool.inputSchema, randomFor(seed, 'tool-input', request.baseKey));
      const pieces = splitJson(JSON.stringify(input));
      blocks.push({
        type: 'tool_use',
        id: `toolu_01${randomId(randomFor(seed, 'tool-id', String(requestIndex), request.fullKey), 22)}`,
        name: tool.name,
        input,
        pieces,
      });
      return { messageId, blocks, stopReason: 'tool_use', outputTokens: outputTokens + pieces.length };
    }
    let full = this.fullText(request.baseKey);
    let start = 0;
    if (request.continuation !== 'none') {
      if (full.text.startsWith(request.partialText)) start = request.partialText.length;
      else full = this.fullText(request.fullKey);
    }
    const budget = Math.max(0, request.maxTokens - outputTokens);
    const first = tokenIndexAt(full, start);
    const end = Math.min(full.tokens.length, first + budget);
    const pieces: string[] = [];
    for (let index = first; index < end; index += 1) {
      const token = full.tokens[index] as string;
      pieces.push(index === first ? token.slice(start - (full.offsets[index] as number)) : token);
    }
    blocks.push({ type: 'text', pieces });
    return {
      messageId,
      blocks,
      stopReason: end < full.tokens.length ? 'max_tokens' : 'end_turn',
      outputTokens: outputTokens + pieces.length,
    };
  }

  #forcedTool(request: MessagesRequest): ToolDefinition | undefined {
    const choice = request.toolChoice;
    if (choice?.type === 'tool') return request.tools.find((tool) => tool.name === choice.name);
    if (choice?.type === 'any' && request.tools.length > 0) {
      const random = randomFor(this.#settings.seed, 'tool-choice', request.baseKey);
      return request.tools[Math.floor(random() * request.tools.length)];
    }
    return undefined;
  }
}

const sampleWords = ['alpha', 'river', 'stone', 'signal', 'harbor', 'garden', 'winter', 'engine'];

/** A value that fits a JSON schema's declared types (objects, arrays, strings, numbers, booleans, enums). */
function inputForSchema(schema: unknown, random: () => number, depth = 0): unknown {
  const record = (schema ?? {}) as Record<string, unknown>;
  if (Array.isArray(record.enum) && record.enum.length > 0) {
    return record.enum[Math.floor(random() * record.enum.length)];
  }
  const type = Array.isArray(record.type) ? record.type[0] : record.type;
  switch (type) {
    case 'string':
      return `${sampleWords[Math.floor(random() * sampleWords.length)]} ${Math.floor(random() * 100)}`;
    case 'integer':
      return Math.floor(random() * 100);
    case 'number':
      return Math.round(random() * 10_000) / 100;
    case 'boolean':
      return random() < 0.5;
    case 'array':
      return depth > 3 ? [] : [inputForSchema(record.items, random, depth + 1)];
    case 'null':
      return null;
    default: {
      const properties = (record.properties ?? {}) as Record<string, unknown>;
      const value: Record<string, unknown> = {};
      if (depth > 3) return value;
      for (const [name, property] of Object.entries(properties)) {
        value[name] = inputForSchema(property, random, depth + 1);
      }
      return value;
    }
  }
}

/** Splits JSON text into pieces of at most 12 characters, as `input_json_delta` streams it. */
function splitJson(json: string): string[] {
  const pieces: string[] = [];
  for (let offset = 0; offset < json.length; offset += 12) pieces.push(json.slice(offset, offset + 12));
  return pieces;
}
