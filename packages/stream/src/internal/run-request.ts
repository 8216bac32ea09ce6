import type Anthropic from '@anthropic-ai/sdk';
import {
  AbortedError,
  type AdmissionGate,
  type Bus,
  type CheckpointStore,
  type Clock,
  type ErrorSummary,
  type RequestTokenEstimate,
  type Reservation,
  type StreamingReason,
  type TokenEstimator,
} from '@bulwark/core';
import { sleep } from '@bulwark/core/internal';
import { computeRetryDelayMs } from '../backoff.js';
import type { StreamCheckpoint } from '../checkpoint-record.js';
import type { MessageSnapshot } from '../message-snapshot.js';
import { computeProgress } from '../progress.js';
import { buildResumeRequest, chooseContinuationStrategy } from '../resume-request.js';
import { classifyFailure } from '../retry-classification.js';
import { StreamInterruptedError } from '../stream-interrupted-error.js';
import { type AttemptState, runNonStreamingAttempt, runStreamingAttempt } from './attempt.js';
import { Checkpointer } from './checkpointer.js';
import { StreamFailure } from './stream-failure.js';

/** The client's settings, validated, as the runner needs them. */
export interface RunnerSettings {
  client: Anthropic;
  bus: Bus;
  clock: Clock;
  random: () => number;
  estimator: TokenEstimator | undefined;
  admission: AdmissionGate | undefined;
  checkpoints: CheckpointStore | undefined;
  maxRetries: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  maxTotalRetryDelayMs: number;
  stallTimeoutMs: number;
  pingsCountAsActivity: boolean;
  progressIntervalMs: number;
  nonStreamingTimeoutMs: number;
  prefillByModel: Readonly<Record<string, boolean>>;
  checkpointEveryTokens: number;
  checkpointIntervalMs: number;
}

/** One request to run. */
export interface RunInput {
  params: Anthropic.MessageCreateParamsNonStreaming;
  streaming: boolean;
  streamingReason: StreamingReason;
  requestId: string;
  snapshot: MessageSnapshot;
  /** True when `snapshot` holds a broken response to continue (from a checkpoint). */
  continueSnapshot: boolean;
  onText: ((text: string) => void) | undefined;
  onEvent: ((event: Anthropic.RawMessageStreamEvent, context: { attempt: number }) => void) | undefined;
  signal: AbortSignal | undefined;
  checkpointKey: string | undefined;
  headers: Record<string, string> | undefined;
}

function summarize(error: unknown, status?: number, type?: string): ErrorSummary {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  return {
    name: typeof fields.name === 'string' ? fields.name : 'Error',
    message: typeof fields.message === 'string' ? fields.message : String(error),
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(status === undefined ? {} : { status }),
    ...(type === undefined ? {} : { type }),
  };
}

/** Estimates output tokens of kept text for `stream:resume` and the resumed `max_tokens`. */
async function estimateTokens(estimator: TokenEstimator | undefined, text: string): Promise<number> {
  if (estimator) {
    try {
      return await estimator.countTokens(text);
    } catch {
      // An estimator that fails only costs precision here.
    }
  }
  return Math.ceil(text.length / 4);
}

/**
 * Runs one request to its end: attempts, retries with backoff, resumes of broken streams,
 * admission, checkpoints, progress and events. Resolves to the one message the caller sees;
 * rejects with `StreamInterruptedError` or `AbortedError`, both carrying the partial message.
 */
export async function runRequest(settings: RunnerSettings, input: RunInput): Promise<Anthropic.Message> {
  const { bus, clock, admission, estimator } = settings;
  const { params, snapshot, requestId, signal } = input;
  const model = params.model;
  const startedAtMs = clock.now();
  let retries = 0;
  let resumes = 0;
  let totalDelayMs = 0;
  let attempt = snapshot.attempts;
  let lastCheckpointTokens = 0;

  const checkpointer =
    settings.checkpoints && input.checkpointKey !== undefined
      ? new Checkpointer(
          settings.checkpoints,
          input.checkpointKey,
          bus,
          clock,
          settings.checkpointEveryTokens,
          settings.checkpointIntervalMs,
          (): StreamCheckpoint => ({
            version: 1,
            requestId,
            params,
            streaming: input.streaming,
            streamingReason: input.streamingReason,
            snapshot: snapshot.toState(),
            outputTokens: snapshot.outputTokens(),
            savedAtMs: clock.now(),
          }),
        )
      : undefined;

  const aborted = (cause: unknown): AbortedError<Anthropic.Message> =>
    new AbortedError<Anthropic.Message>({
      message: 'The request was aborted',
      cause: signal?.reason ?? cause,
      partial: snapshot.toMessage() as Anthropic.Message,
    });

  let progressTimer: { cancel(): void } | undefined;
  const reportProgress = (): void => {
    bus.emit('stream:progress', {
      requestId,
      model,
      attempt,
      ...computeProgress({
        outputTokens: snapshot.outputTokens(),
        maxTokens: params.max_tokens,
        startedAtMs,
        nowMs: clock.now(),
      }),
    });
    progressTimer = clock.setTimeout(reportProgress, settings.progressIntervalMs);
  };
  if (input.streaming && Number.isFinite(settings.progressIntervalMs)) {
    progressTimer = clock.setTimeout(reportProgress, settings.progressIntervalMs);
  }

  let plan = input.continueSnapshot
    ? snapshot.planResume()
    : ({ kind: 'restart', regeneratedBlocks: 0 } as const);
  try {
    for (;;) {
      if (signal?.aborted) throw aborted(undefined);
      attempt += 1;
      let attemptParams = params;
      let skipPrefix = '';
      const resuming = plan.kind === 'resume';
      if (plan.kind === 'resume') {
        const keptOutputTokens = await estimateTokens(estimator, plan.keptText);
        const resume = buildResumeRequest(params, {
          keptText: plan.keptText,
          keptOutputTokens,
          strategy: chooseContinuationStrategy(params, settings.prefillByModel),
        });
        attemptParams = resume.params;
        skipPrefix = resume.skipPrefix;
        resumes += 1;
        bus.emit('stream:resume', {
          requestId,
          model,
          attempt,
          strategy: resume.strategy,
          keptOutputTokens,
          keptTextLength: plan.keptText.length,
          regeneratedBlocks: plan.regeneratedBlocks,
        });
      }

      let estimate: RequestTokenEstimate | undefined;
      if (estimator) {
        try {
          estimate = await estimator.estimateRequest(attemptParams);
        } catch {
          estimate = undefined;
        }
      }
      const estimatedInputTokens = estimate?.inputTokens;
      let reservation: Reservation | undefined;
      if (admission) {
        try {
          reservation = await admission.acquire({
            model,
            inputTokens: estimatedInputTokens ?? 0,
            maxOutputTokens: attemptParams.max_tokens,
            requestId,
            ...(signal ? { signal } : {}),
          });
        } catch (error) {
          if (signal?.aborted) throw aborted(error);
          throw error;
        }
      }

      bus.emit('request:start', {
        requestId,
        model,
        attempt,
        streaming: input.streaming,
        streamingReason: input.streamingReason,
        maxTokens: attemptParams.max_tokens,
        ...(estimatedInputTokens === undefined ? {} : { estimatedInputTokens }),
        resuming,
      });

      snapshot.beginAttempt(skipPrefix);
      const state: AttemptState = { streamStarted: false, stalledAfterMs: undefined };
      const attemptNumber = attempt;
      const onEvent = input.onEvent;
      const attemptInput = {
        client: settings.client,
        params: attemptParams,
        snapshot,
        clock,
        signal,
        headers: input.headers,
        state,
        onText: input.onText,
        onEvent: onEvent
          ? (event: Anthropic.RawMessageStreamEvent) => onEvent(event, { attempt: attemptNumber })
          : undefined,
        onResponse(response: Response) {
          admission?.observe({
            model,
            status: response.status,
            headers: response.headers,
            requestId,
            ...(reservation ? { reservation } : {}),
          });
        },
        afterEvent: checkpointer
          ? () => {
              const outputTokens = snapshot.outputTokens();
              if (outputTokens !== lastCheckpointTokens) {
                lastCheckpointTokens = outputTokens;
                checkpointer.maybeSave(outputTokens);
              }
            }
          : () => {},
      };

      try {
        if (input.streaming) {
          await runStreamingAttempt({
            ...attemptInput,
            stallTimeoutMs: settings.stallTimeoutMs,
            pingsCountAsActivity: settings.pingsCountAsActivity,
          });
        } else {
          await runNonStreamingAttempt({ ...attemptInput, timeoutMs: settings.nonStreamingTimeoutMs });
        }
      } catch (error) {
        const reachedModel = snapshot.attemptStarted;
        const attemptUsage = snapshot.finishAttempt(true);
        if (reachedModel) {
          reservation?.reconcile(attemptUsage, { partial: true });
          bus.emit('usage', { requestId, model, attempt, usage: attemptUsage, partial: true });
        } else {
          reservation?.release();
        }
        if (signal?.aborted) {
          bus.emit('request:error', {
            requestId,
            model,
            attempt,
            error: summarize(aborted(error)),
            willRetry: false,
          });
          throw aborted(error);
        }

        const classification = classifyFailure(error, {
          streamStarted: state.streamStarted,
          nowMs: clock.now(),
        });
        if (classification.status !== undefined) {
          admission?.observe({
            model,
            status: classification.status,
            ...(classification.headers ? { headers: classification.headers } : {}),
            ...(classification.errorType ? { errorType: classification.errorType } : {}),
            ...(classification.errorCode ? { errorCode: classification.errorCode } : {}),
            requestId,
          });
        } else if (error instanceof StreamFailure && error.kind === 'error_event' && error.errorType) {
          admission?.observe({ model, errorType: error.errorType, requestId });
        }
        if (state.stalledAfterMs !== undefined) {
          bus.emit('stream:stall', {
            requestId,
            model,
            attempt,
            idleMs: state.stalledAfterMs,
            pingsCountAsActivity: settings.pingsCountAsActivity,
          });
        }

        let willRetry = classification.retryable && retries < settings.maxRetries;
        let delayMs = 0;
        if (willRetry) {
          delayMs = computeRetryDelayMs({
            retryNumber: retries + 1,
            retryAfterMs: classification.retryAfterMs,
            initialRetryDelayMs: settings.initialRetryDelayMs,
            maxRetryDelayMs: settings.maxRetryDelayMs,
            random: settings.random,
          });
          // A server that asks for a longer wait than allowed is not retried early: it said no.
          if (delayMs > settings.maxRetryDelayMs || totalDelayMs + delayMs > settings.maxTotalRetryDelayMs) {
            willRetry = false;
          }
        }
        bus.emit('request:error', {
          requestId,
          model,
          attempt,
          error: summarize(error, classification.status, classification.errorType),
          willRetry,
        });
        if (!willRetry) {
          if (checkpointer) await checkpointer.save();
          const reasonText = classification.retryable ? 'retries exhausted' : 'not retryable';
          throw new StreamInterruptedError({
            message: `Request ${requestId} failed after ${attempt} attempt(s) (${reasonText}): ${summarize(error).message}`,
            cause: error,
            partial: snapshot.toMessage(),
            attempts: attempt,
            reason: classification.reason,
            status: classification.status,
            errorType: classification.errorType,
            errorCode: classification.errorCode,
            isRetryable: classification.retryable,
          });
        }

        plan = input.streaming ? snapshot.planResume() : { kind: 'restart', regeneratedBlocks: 0 };
        bus.emit('retry:scheduled', {
          requestId,
          model,
          attempt,
          nextAttempt: attempt + 1,
          delayMs,
          reason: classification.reason ?? 'server_error',
          ...(classification.status === undefined ? {} : { status: classification.status }),
          resume: plan.kind === 'resume',
        });
        if (checkpointer && snapshot.blocks.length > 0) void checkpointer.save();
        retries += 1;
        totalDelayMs += delayMs;
        try {
          // A zero wait needs no timer (and no clock to move it, under a manual clock).
          if (delayMs > 0) await sleep(clock, delayMs, signal);
        } catch (sleepError) {
          throw aborted(sleepError);
        }
        continue;
      }

      const usage = snapshot.finishAttempt(false);
      reservation?.reconcile(usage);
      if (estimate) estimator?.calibrate?.(estimate, usage);
      bus.emit('usage', { requestId, model, attempt, usage, partial: false });
      const message = snapshot.toMessage() as Anthropic.Message;
      if (checkpointer) await checkpointer.delete();
      bus.emit('request:end', {
        requestId,
        model,
        durationMs: clock.now() - startedAtMs,
        attempts: attempt,
        retries,
        resumes,
        stopReason: message.stop_reason,
        usage: snapshot.totalUsage(),
      });
      return message;
    }
  } finally {
    progressTimer?.cancel();
  }
}
