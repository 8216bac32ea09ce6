import type Anthropic from '@anthropic-ai/sdk';
import {
  AbortedError,
  type AdmissionFeedback,
  type RequestTokenEstimate,
  type Reservation,
  type StreamingReason,
} from '@bulwark/core';
import type { ResumeFromCheckpointOptions } from '../call-options.js';
import type { AttemptState } from './attempt.js';
import type { Checkpointer } from './checkpointer.js';
import type { MessageSnapshot } from './message-snapshot.js';
import type { ClientSettings } from './settings.js';

/** One request to run: the caller's request and per-call options, and where it starts from. */
export interface RunInput extends ResumeFromCheckpointOptions {
  params: Anthropic.MessageCreateParamsNonStreaming;
  streaming: boolean;
  streamingReason: StreamingReason;
  requestId: string;
  snapshot: MessageSnapshot;
  /** True when `snapshot` holds a broken response to continue (from a checkpoint). */
  continueSnapshot: boolean;
  checkpointKey: string | undefined;
}

/** What every step of one request reads. */
export interface RunContext {
  readonly settings: ClientSettings;
  readonly input: RunInput;
  readonly model: string;
  readonly checkpointer: Checkpointer | undefined;
  /** Set once the request's one closing event (`request:end`, or `request:error` without retry) is out. */
  readonly outcome: { reported: boolean };
}

/** One attempt, admitted: what it sends and the handles it holds until it is settled. */
export interface Attempt {
  readonly number: number;
  readonly params: Anthropic.MessageCreateParamsNonStreaming;
  /** The estimate made for these params, to calibrate with this attempt's usage. */
  readonly estimate: RequestTokenEstimate | undefined;
  /** The capacity held for this attempt, reconciled or released once it is over. */
  readonly reservation: Reservation | undefined;
  readonly state: AttemptState;
  /** When the attempt was admitted (`request:start`), on the client's clock. */
  readonly startedAtMs: number;
}

/** The error of an aborted request, holding the message received so far. */
export function abortedError({ input }: RunContext, cause: unknown): AbortedError<Anthropic.Message> {
  return new AbortedError<Anthropic.Message>({
    message: 'The request was aborted',
    cause: input.signal?.reason ?? cause,
    partial: input.snapshot.toMessage() as Anthropic.Message,
  });
}

/** Tells the admission gate what a response (or an error) said, with the attempt's reservation. */
export function observeResponse(
  { settings, input, model }: RunContext,
  attempt: Attempt,
  feedback: Omit<AdmissionFeedback, 'model' | 'requestId' | 'reservation'>,
): void {
  settings.admission?.observe({
    model,
    requestId: input.requestId,
    ...feedback,
    ...(attempt.reservation ? { reservation: attempt.reservation } : {}),
  });
}
