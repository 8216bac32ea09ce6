import { getCl100kCount } from './internal/cl100k.js';

/** Options of the mock server's tokenizer. */
export interface ServerTokenizerOptions {
  /** Scale applied to the cl100k count of all text of a request. @default 1.2 */
  ratio?: number;
  /** Tokens added per message. @default 4 */
  messageOverheadTokens?: number;
  /** Tokens added once per request. @default 6 */
  requestOverheadTokens?: number;
}

/** Tokens the server counts for an image block (the API charges by pixel size; the mock does not look). */
export const imageBlockTokens = 1600;
/** Tokens the server counts for a document block that is not plain text. */
export const documentBlockTokens = 2000;

/**
 * The mock server's tokenizer: deliberately not any js-tiktoken encoding, as Claude's is not
 * either. Input tokens are `ceil(cl100k(all text) × ratio) + messageOverheadTokens × messages
 * + requestOverheadTokens`, plus fixed amounts for images and binary documents.
 */
export interface ServerTokenizer {
  /** `ceil(cl100k(text) × ratio)`: the count of a piece of text, without overheads. */
  countText(text: string): number;
  /** The `input_tokens` the server reports for a Messages request body. */
  countRequest(request: unknown): number;
}

interface Tally {
  cl100k: number;
  fixed: number;
}

function stringifyForCount(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function tallyBlock(block: unknown, tally: Tally): void {
  if (typeof block === 'string') {
    tally.cl100k += getCl100kCount(block);
    return;
  }
  if (block === null || typeof block !== 'object') return;
  const record = block as Record<string, unknown>;
  switch (record.type) {
    case 'text':
      tally.cl100k += getCl100kCount(stringifyForCount(record.text));
      return;
    case 'thinking':
      tally.cl100k += getCl100kCount(stringifyForCount(record.thinking));
      return;
    case 'redacted_thinking':
      tally.cl100k += getCl100kCount(stringifyForCount(record.data));
      return;
    case 'image':
      tally.fixed += imageBlockTokens;
      return;
    case 'document': {
      const source = record.source as Record<string, unknown> | undefined;
      if (source?.type === 'text') tally.cl100k += getCl100kCount(stringifyForCount(source.data));
      else if (source?.type === 'content' && Array.isArray(source.content)) {
        for (const inner of source.content) tallyBlock(inner, tally);
      } else tally.fixed += documentBlockTokens;
      return;
    }
    case 'tool_use':
    case 'server_tool_use':
      tally.cl100k += getCl100kCount(stringifyForCount(record.name));
      tally.cl100k += getCl100kCount(stringifyForCount(record.input));
      return;
    case 'tool_result':
      if (Array.isArray(record.content)) {
        for (const inner of record.content) tallyBlock(inner, tally);
      } else if (record.content !== undefined) {
        tally.cl100k += getCl100kCount(stringifyForCount(record.content));
      }
      return;
    default:
      tally.cl100k += getCl100kCount(stringifyForCount(block));
  }
}

function tallyContent(content: unknown, tally: Tally): void {
  if (Array.isArray(content)) {
    for (const block of content) tallyBlock(block, tally);
  } else {
    tallyBlock(content, tally);
  }
}

/** Creates the tokenizer the mock server uses; export it to compute expected counts in tests. */
export function createServerTokenizer({
  ratio = 1.2,
  messageOverheadTokens = 4,
  requestOverheadTokens = 6,
}: ServerTokenizerOptions = {}): ServerTokenizer {
  const scale = (cl100k: number): number => Math.ceil(cl100k * ratio - 1e-9);
  return {
    countText: (text) => scale(getCl100kCount(text)),
    countRequest(request) {
      const body = (request ?? {}) as Record<string, unknown>;
      const tally: Tally = { cl100k: 0, fixed: 0 };
      if (body.system !== undefined) tallyContent(body.system, tally);
      const messages = Array.isArray(body.messages) ? body.messages : [];
      for (const message of messages) {
        tallyContent((message as Record<string, unknown> | null)?.content, tally);
      }
      if (Array.isArray(body.tools)) {
        for (const tool of body.tools) tally.cl100k += getCl100kCount(stringifyForCount(tool));
      }
      return (
        scale(tally.cl100k) + tally.fixed + messageOverheadTokens * messages.length + requestOverheadTokens
      );
    },
  };
}
