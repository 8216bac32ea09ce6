import type Anthropic from '@anthropic-ai/sdk';
import { defineOptions, expectString, option } from '@bulwark/core/internal';

/** Options of `resumeFromCheckpoint`; `createMessage` takes these and more. */
export interface ResumeFromCheckpointOptions {
  /** Every piece of text as it arrives, once: never repeated, never skipped across resumes. */
  onText?: ((text: string) => void) | undefined;
  /** Every raw stream event as received, with its attempt (indices are the attempt's own). */
  onEvent?: ((event: Anthropic.RawMessageStreamEvent, context: { attempt: number }) => void) | undefined;
  /** Aborts the request; it then rejects with `AbortedError` holding the partial message. */
  signal?: AbortSignal | undefined;
  /** Extra HTTP headers for every attempt. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** The rules of `ResumeFromCheckpointOptions`. */
export const resumeFromCheckpointOptions = defineOptions<ResumeFromCheckpointOptions>()({
  onText: option.function<(text: string) => void>(),
  onEvent: option.function<(event: Anthropic.RawMessageStreamEvent, context: { attempt: number }) => void>(),
  signal: option.signal(),
  headers: option.record((argument, value) => expectString(argument, value, { allowEmpty: true })),
});

/** Options of one `createMessage` call. */
export interface CreateMessageOptions extends ResumeFromCheckpointOptions {
  /** Correlates the request's events. @default a fresh id */
  requestId?: string | undefined;
  /** The checkpoint key (with a `checkpoints` store). @default the request id */
  checkpointKey?: string | undefined;
}

/** The rules of `CreateMessageOptions`. */
export const createMessageOptions = defineOptions<CreateMessageOptions>()({
  ...resumeFromCheckpointOptions.rules,
  requestId: option.string(),
  checkpointKey: option.string(),
});

/** Options of `getCompletion`. */
export interface GetCompletionOptions {
  /** The answer's `max_tokens`. */
  maxTokens: number;
  /** @default the client's `defaultModel` */
  model?: string | undefined;
  /** The system prompt. */
  system?: string | undefined;
  signal?: AbortSignal | undefined;
  onText?: ((text: string) => void) | undefined;
}

/** The rules of `GetCompletionOptions` (`maxTokens` is required: checked after parsing). */
export const getCompletionOptions = defineOptions<GetCompletionOptions>()({
  maxTokens: option.number({ integer: true, min: 1 }),
  model: option.string(),
  system: option.string({ allowEmpty: true }),
  signal: resumeFromCheckpointOptions.rules.signal,
  onText: resumeFromCheckpointOptions.rules.onText,
});
