import type Anthropic from '@anthropic-ai/sdk';
import type { SnapshotBlock } from '../checkpoint-record.js';

/**
 * Folds a delta other than `text_delta` into its block (thinking, signature, tool input JSON,
 * citations); returns the characters it generated, for the live output estimate.
 */
export function applyNonTextDelta(entry: SnapshotBlock, delta: Anthropic.RawContentBlockDelta): number {
  const block = entry.block as unknown as Record<string, unknown>;
  switch (delta.type) {
    case 'thinking_delta':
      block.thinking = `${(block.thinking as string | undefined) ?? ''}${delta.thinking}`;
      return delta.thinking.length;
    case 'signature_delta':
      block.signature = delta.signature;
      return 0;
    case 'input_json_delta':
      entry.inputJson = `${entry.inputJson ?? ''}${delta.partial_json}`;
      return delta.partial_json.length;
    case 'citations_delta': {
      const citations = (block.citations as unknown[] | null | undefined) ?? [];
      citations.push(delta.citation);
      block.citations = citations;
      return 0;
    }
    default:
      return 0;
  }
}

/** A block as the caller sees it: tool input parsed from its JSON when that is complete. */
export function blockForOutput(entry: SnapshotBlock): Anthropic.ContentBlock {
  if (entry.inputJson === undefined) return entry.block;
  let input: unknown = {};
  try {
    input = entry.inputJson.length === 0 ? {} : JSON.parse(entry.inputJson);
  } catch {
    // The JSON of a tool call cut off mid-stream does not parse: its input is unknown, so it
    // shows as `{}` (such a block is dropped and generated again before any resume).
    input = {};
  }
  return { ...entry.block, input } as Anthropic.ContentBlock;
}

/**
 * Drops the start of `text` that repeats `skipPrefix` (whitespace delivered before a prefill
 * that the continuation repeats). Returns the text to keep and what is left to skip.
 */
export function dropRepeatedPrefix(text: string, skipPrefix: string): { kept: string; skipPrefix: string } {
  let matched = 0;
  while (matched < text.length && matched < skipPrefix.length && text[matched] === skipPrefix[matched]) {
    matched += 1;
  }
  // Past a difference, the continuation went another way than the whitespace: stop dropping.
  const rest = matched === skipPrefix.length || matched === text.length ? skipPrefix.slice(matched) : '';
  return { kept: text.slice(matched), skipPrefix: rest };
}

/**
 * Pops the unfinished blocks at the end of a broken message that cannot be continued
 * (partial thinking, tool_use and other non-text blocks, empty text); returns how many.
 */
export function dropUnfinishedTail(entries: SnapshotBlock[]): number {
  let dropped = 0;
  for (let last = entries.at(-1); last && !last.complete; last = entries.at(-1)) {
    if (last.block.type === 'text' && last.block.text.length > 0) break;
    entries.pop();
    dropped += 1;
  }
  return dropped;
}

/**
 * Folds a `message_delta` in: the stop reason (and details, container) onto `message`, and its
 * usage onto the attempt's, which it returns. That usage is cumulative for the attempt:
 * overwrite, never add.
 */
export function applyMessageDelta(
  message: Omit<Anthropic.Message, 'content'> | undefined,
  attemptUsage: Anthropic.Usage | undefined,
  event: Anthropic.RawMessageDeltaEvent,
): Anthropic.Usage {
  if (message) {
    const fields = message as Record<string, unknown>;
    fields.stop_reason = event.delta.stop_reason;
    fields.stop_sequence = event.delta.stop_sequence;
    if (event.delta.stop_details !== undefined) fields.stop_details = event.delta.stop_details;
    if (event.delta.container != null) fields.container = event.delta.container;
  }
  const usage = (attemptUsage ?? {}) as Record<string, unknown>;
  const reported = event.usage as unknown as Record<string, unknown>;
  for (const key of Object.keys(reported)) if (reported[key] != null) usage[key] = reported[key];
  return usage as unknown as Anthropic.Usage;
}
