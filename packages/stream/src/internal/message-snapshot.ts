import type Anthropic from '@anthropic-ai/sdk';
import { addUsage, emptyUsage, type Usage, usageFromApi } from '@bulwark/core';
import type { SnapshotBlock, SnapshotState } from '../checkpoint-record.js';
import {
  applyMessageDelta,
  applyNonTextDelta,
  blockForOutput,
  dropRepeatedPrefix,
  dropUnfinishedTail,
} from './snapshot-updates.js';

type Message = Anthropic.Message;
type ContentBlock = Anthropic.ContentBlock;
type RawMessageStreamEvent = Anthropic.RawMessageStreamEvent;

/** How the next attempt goes on from what was received. */
export type ResumePlan =
  | { kind: 'restart'; regeneratedBlocks: number }
  | {
      kind: 'resume';
      /** Every kept text block's text, joined: what the model is asked to continue. */
      keptText: string;
      regeneratedBlocks: number;
    };

/** Rough characters per token, for live estimates between the API's usage reports. */
const charactersPerTokenEstimate = 4;

/**
 * Folds raw stream events of one or more attempts into one message. Each attempt's block
 * indices are mapped onto the snapshot's, and the first text block of an attempt that resumes
 * a broken text block is appended to it, so the caller sees one message however many attempts
 * it took. Only this object is trusted: `MessageStream.currentMessage` loses the partial
 * message when a stream closes without `message_stop`.
 */
export class MessageSnapshot {
  private message: Omit<Message, 'content'> | undefined;
  private entries: SnapshotBlock[] = [];
  /** Usage of the attempts that are over, summed (partial attempts by estimate). */
  private finishedUsage: Usage = emptyUsage();
  private attemptCount = 0;

  /** This attempt's cumulative usage as the API reported it. */
  private attemptUsage: Anthropic.Usage | undefined;
  /** The last usage object an attempt reported, for the fields that are not summed. */
  private lastReportedUsage: Anthropic.Usage | undefined;
  /** Characters generated in this attempt (text, thinking, tool input). */
  private attemptCharacters = 0;
  private indexMap: number[] = [];
  /** The block the next attempt's first text block continues. */
  private mergeTarget: number | undefined;
  /** Whitespace already delivered but left out of a prefill: dropped from the continuation. */
  private skipPrefix = '';
  private started = false;
  private stopped = false;

  static fromState(state: SnapshotState): MessageSnapshot {
    const snapshot = new MessageSnapshot();
    snapshot.message = state.message;
    snapshot.entries = state.blocks;
    snapshot.finishedUsage = state.finishedUsage;
    snapshot.attemptCount = state.attempts;
    return snapshot;
  }

  toState(): SnapshotState {
    return {
      message: this.message,
      blocks: this.entries.map((entry) => ({ ...entry, block: blockForOutput(entry) })),
      finishedUsage: this.totalUsage(),
      attempts: this.attemptCount,
    };
  }

  /** Attempts started so far. */
  get attempts(): number {
    return this.attemptCount;
  }

  /** The blocks received so far. */
  get blocks(): readonly SnapshotBlock[] {
    return this.entries;
  }

  /** True once this attempt's `message_start` arrived (it reached the model). */
  get attemptStarted(): boolean {
    return this.started;
  }

  /** True once this attempt's `message_stop` arrived. */
  get attemptStopped(): boolean {
    return this.stopped;
  }

  /** Starts an attempt; `skipPrefix` is whitespace to drop from the start of its text. */
  beginAttempt(skipPrefix = ''): void {
    this.attemptCount += 1;
    this.attemptUsage = undefined;
    this.attemptCharacters = 0;
    this.indexMap = [];
    this.skipPrefix = skipPrefix;
    this.started = false;
    this.stopped = false;
  }

  /**
   * Folds one event in; returns the text to hand to `onText` (already stripped of anything
   * delivered before), or `undefined` when the event added no text.
   */
  apply(event: RawMessageStreamEvent): string | undefined {
    switch (event.type) {
      case 'content_block_delta':
        return this.applyDelta(event);
      case 'content_block_start':
        return this.startBlock(event.index, event.content_block);
      case 'content_block_stop': {
        const index = this.indexMap[event.index];
        const entry = index === undefined ? undefined : this.entries[index];
        if (entry) entry.complete = true;
        return undefined;
      }
      case 'message_delta':
        this.attemptUsage = applyMessageDelta(this.message, this.attemptUsage, event);
        return undefined;
      case 'message_start': {
        this.started = true;
        const { content: _content, ...meta } = event.message;
        if (!this.message) this.message = { ...meta, usage: { ...meta.usage } };
        this.attemptUsage = { ...event.message.usage };
        return undefined;
      }
      case 'message_stop':
        this.stopped = true;
        return undefined;
      default:
        return undefined;
    }
  }

  private applyDelta(event: Anthropic.RawContentBlockDeltaEvent): string | undefined {
    const index = this.indexMap[event.index];
    if (index === undefined || index < 0) return undefined;
    const entry = this.entries[index];
    if (!entry) return undefined;
    const delta = event.delta;
    if (delta.type !== 'text_delta') {
      this.attemptCharacters += applyNonTextDelta(entry, delta);
      return undefined;
    }
    const text = this.dropSkipped(delta.text);
    this.attemptCharacters += delta.text.length;
    if (text.length === 0) return undefined;
    const block = entry.block as Anthropic.TextBlock;
    block.text += text;
    return text;
  }

  /** Takes a whole message from a non-streaming attempt; returns its text. */
  adoptMessage(message: Message): string {
    const { content, ...meta } = message;
    if (!this.message) this.message = { ...meta, usage: { ...meta.usage } };
    else Object.assign(this.message, { stop_reason: meta.stop_reason, stop_sequence: meta.stop_sequence });
    let text = '';
    for (const block of content) {
      this.entries.push({ block, complete: true });
      if (block.type === 'text') text += block.text;
    }
    this.attemptUsage = { ...message.usage };
    this.started = true;
    this.stopped = true;
    return text;
  }

  private startBlock(attemptIndex: number, contentBlock: ContentBlock): string | undefined {
    const target = this.mergeTarget;
    if (target !== undefined) {
      if (contentBlock.type === 'text') {
        this.mergeTarget = undefined;
        this.indexMap[attemptIndex] = target;
        const entry = this.entries[target]!;
        entry.complete = false;
        const text = this.dropSkipped(contentBlock.text);
        if (text.length === 0) return undefined;
        const block = entry.block as Anthropic.TextBlock;
        block.text += text;
        return text;
      }
      if (contentBlock.type === 'thinking' || contentBlock.type === 'redacted_thinking') {
        // Thinking that leads into the continuation is not part of the one message the caller
        // sees: the kept text already follows the earlier thinking.
        this.indexMap[attemptIndex] = -1;
        return undefined;
      }
      this.mergeTarget = undefined;
      this.skipPrefix = '';
    }
    const block = { ...contentBlock } as ContentBlock;
    if (block.type === 'text' && block.citations) block.citations = [...block.citations];
    this.indexMap[attemptIndex] = this.entries.length;
    this.entries.push({ block, complete: false });
    if (block.type === 'text' && block.text.length > 0) {
      this.attemptCharacters += block.text.length;
      return block.text;
    }
    return undefined;
  }

  /** Drops the part of `text` that repeats whitespace delivered before a prefill. */
  private dropSkipped(text: string): string {
    if (this.skipPrefix.length === 0) return text;
    const { kept, skipPrefix } = dropRepeatedPrefix(text, this.skipPrefix);
    this.skipPrefix = skipPrefix;
    return kept;
  }

  /** Output tokens of this attempt: the API's count, or an estimate from text when higher. */
  attemptOutputTokens(): number {
    const reported = this.attemptUsage?.output_tokens ?? 0;
    return Math.max(reported, Math.ceil(this.attemptCharacters / charactersPerTokenEstimate));
  }

  /** This attempt's usage, with output tokens estimated when the stream broke. */
  attemptUsageSummary(partial: boolean): Usage {
    const usage = usageFromApi(this.attemptUsage);
    return partial ? { ...usage, outputTokens: this.attemptOutputTokens() } : usage;
  }

  /** Ends an attempt, adding its usage to the total. */
  finishAttempt(partial: boolean): Usage {
    const usage = this.started ? this.attemptUsageSummary(partial) : emptyUsage();
    this.finishedUsage = addUsage(this.finishedUsage, usage);
    if (this.attemptUsage) this.lastReportedUsage = this.attemptUsage;
    this.started = false;
    this.attemptUsage = undefined;
    this.attemptCharacters = 0;
    return usage;
  }

  /** Usage of all attempts so far, the running one included. */
  totalUsage(): Usage {
    return this.started ? addUsage(this.finishedUsage, this.attemptUsageSummary(true)) : this.finishedUsage;
  }

  /** Output tokens over every attempt, the running one estimated live. */
  outputTokens(): number {
    return this.finishedUsage.outputTokens + (this.started ? this.attemptOutputTokens() : 0);
  }

  /** Every text block's text, joined. */
  text(): string {
    let text = '';
    for (const entry of this.entries) if (entry.block.type === 'text') text += entry.block.text;
    return text;
  }

  /**
   * Decides how to go on after a broken attempt: partial thinking, tool_use and other
   * unfinished non-text blocks are dropped (to be generated again); when the message then ends
   * in text, the next attempt resumes it, otherwise everything is dropped and it restarts.
   */
  planResume(): ResumePlan {
    const regeneratedBlocks = dropUnfinishedTail(this.entries);
    const last = this.entries.at(-1);
    if (last?.block.type !== 'text' || this.text().length === 0) {
      this.entries = [];
      this.mergeTarget = undefined;
      return { kind: 'restart', regeneratedBlocks };
    }
    this.mergeTarget = this.entries.length - 1;
    return { kind: 'resume', keptText: this.text(), regeneratedBlocks };
  }

  /**
   * The message received so far (`undefined` before any `message_start`), with `usage` summed
   * over every attempt: input tokens of each attempt and every output token generated.
   */
  toMessage(): Message | undefined {
    if (!this.message) return undefined;
    const total = this.totalUsage();
    const usage: Anthropic.Usage = {
      ...this.message.usage,
      ...(this.attemptUsage ?? this.lastReportedUsage ?? {}),
      input_tokens: total.inputTokens,
      output_tokens: total.outputTokens,
      cache_creation_input_tokens: total.cacheCreationInputTokens,
      cache_read_input_tokens: total.cacheReadInputTokens,
    };
    return {
      ...this.message,
      usage,
      content: this.entries.map(blockForOutput),
    } as Message;
  }
}
