import type Anthropic from '@anthropic-ai/sdk';
import { AbortedError, type RequestTokenEstimate, type Reservation } from '@bulwark/core';
import { summarizeError } from '@bulwark/core/internal';
import {
  type AttemptInput,
  type AttemptState,
  runNonStreamingAttempt,
  runStreamingAttempt,
} from './attempt.js';
import { createRequestCheckpointer } from './checkpointer.js';
import type { ResumePlan } from './message-snapshot.js';
import { ProgressReporter } from './progress.js';
import { buildResumeRequest, chooseContinuationStrategy } from './resume-request.js';
import { RetryController, restartPlan } from './retry-controller.js';
import {
  type Attempt,
  abortedError,
  observeResponse,
  type RunContext,
  type RunInput,
} from './run-context.js';
import type { ClientSettings } from './settings.js';

/**
 * Runs one request to its end: attempts, retries with backoff, resumes of broken streams,
 * admission, checkpoints, progress and events. Each attempt goes through the same steps:
 * admit (resume plan, estimate, acquire), execute, settle (reconcile or release, calibrate,
 * `usage`), then finish, or recover (`RetryController`: classify, tell the gate, wait or give up).
 */
export class RequestRun {
  private readonly context: RunContext;
  private readonly recovery: RetryController;
  private readonly progress: ProgressReporter | undefined;
  private readonly afterEvent: () => void;
  private readonly startedAtMs: number;
  private attempt: number;
  private resumes = 0;
  private plan: ResumePlan;

  constructor(
    private readonly settings: ClientSettings,
    private readonly input: RunInput,
  ) {
    const { snapshot, params } = input;
    const checkpointer = createRequestCheckpointer(settings, input);
    this.context = { settings, input, model: params.model, checkpointer, outcome: { reported: false } };
    this.recovery = new RetryController(this.context);
    this.startedAtMs = settings.clock.now();
    this.attempt = snapshot.attempts;
    this.plan = input.continueSnapshot ? snapshot.planResume() : restartPlan;
    this.progress = input.streaming
      ? new ProgressReporter({
          bus: settings.bus,
          clock: settings.clock,
          intervalMs: settings.progressIntervalMs,
          requestId: input.requestId,
          model: params.model,
          maxTokens: params.max_tokens,
          startedAtMs: this.startedAtMs,
          read: () => ({ attempt: this.attempt, outputTokens: snapshot.outputTokens() }),
        })
      : undefined;
    this.afterEvent = checkpointer ? () => checkpointer.maybeSave(snapshot.outputTokens()) : () => {};
  }

  private get model(): string {
    return this.context.model;
  }

  /**
   * Resolves to the one message the caller sees; rejects with `StreamInterruptedError`,
   * `AbortedError`, or the admission gate's error (a budget, a full queue, ...). Every request
   * ends with exactly one `request:end` or one `request:error` with `willRetry: false`.
   */
  async run(): Promise<Anthropic.Message> {
    this.progress?.start();
    try {
      for (;;) {
        const attempt = await this.admit();
        const failure = await this.execute(attempt);
        this.settle(attempt, failure !== undefined);
        if (failure === undefined) return await this.finish();
        this.plan = await this.recovery.recover(attempt, failure.error);
      }
    } catch (error) {
      this.reportUnreported(error);
      throw error;
    } finally {
      this.progress?.stop();
    }
  }

  /** A request that stopped before any attempt could report it (refused admission, an abort) says so. */
  private reportUnreported(error: unknown): void {
    if (this.context.outcome.reported) return;
    this.context.outcome.reported = true;
    this.settings.bus.emit('request:error', {
      requestId: this.input.requestId,
      model: this.model,
      attempt: Math.max(1, this.attempt),
      error: summarizeError(error),
      willRetry: false,
      ...(AbortedError.isInstance(error) ? {} : { giveUpReason: 'not_retryable' as const }),
    });
  }

  /** Prepares the next attempt: the resume plan applied, its estimate made, its capacity acquired. */
  private async admit(): Promise<Attempt> {
    const { signal, snapshot, streaming, streamingReason, requestId } = this.input;
    if (signal?.aborted) throw abortedError(this.context, undefined);
    this.attempt += 1;
    const { params, skipPrefix, resuming } = await this.applyPlan();
    const estimate = await this.estimate(params);
    const reservation = await this.acquire(params, estimate);
    const estimatedInputTokens = estimate?.inputTokens;
    this.settings.bus.emit('request:start', {
      requestId,
      model: this.model,
      attempt: this.attempt,
      streaming,
      streamingReason,
      maxTokens: params.max_tokens,
      ...(estimatedInputTokens === undefined ? {} : { estimatedInputTokens }),
      resuming,
    });
    snapshot.beginAttempt(skipPrefix);
    const state: AttemptState = { streamStarted: false, stalledAfterMs: undefined };
    const startedAtMs = this.settings.clock.now();
    return { number: this.attempt, params, estimate, reservation, state, startedAtMs };
  }

  /** The params of the next attempt: the caller's, or a continuation of the kept text. */
  private async applyPlan(): Promise<{
    params: Anthropic.MessageCreateParamsNonStreaming;
    skipPrefix: string;
    resuming: boolean;
  }> {
    const { plan } = this;
    const { params, requestId } = this.input;
    if (plan.kind !== 'resume') return { params, skipPrefix: '', resuming: false };
    const keptOutputTokens = await this.countKeptTokens(plan.keptText);
    const resume = buildResumeRequest(params, {
      keptText: plan.keptText,
      keptOutputTokens,
      strategy: chooseContinuationStrategy(params, this.settings.prefillByModel),
    });
    this.resumes += 1;
    this.settings.bus.emit('stream:resume', {
      requestId,
      model: this.model,
      attempt: this.attempt,
      strategy: resume.strategy,
      keptOutputTokens,
      keptTextLength: plan.keptText.length,
      regeneratedBlocks: plan.regeneratedBlocks,
    });
    return { params: resume.params, skipPrefix: resume.skipPrefix, resuming: true };
  }

  /** Output tokens of kept text, for `stream:resume` and the continuation's `max_tokens`. */
  private async countKeptTokens(text: string): Promise<number> {
    const { estimator } = this.settings;
    if (estimator) {
      try {
        return await estimator.countTokens(text);
      } catch {
        // Ignored on purpose: the count only trims the continuation's `max_tokens` and fills
        // `stream:resume`, and characters ÷ 4 below does both well enough. The estimator's own
        // callers see its errors; this request should not fail for it.
      }
    }
    return Math.ceil(text.length / 4);
  }

  private async estimate(
    params: Anthropic.MessageCreateParamsNonStreaming,
  ): Promise<RequestTokenEstimate | undefined> {
    const { estimator } = this.settings;
    if (!estimator) return undefined;
    try {
      return await estimator.estimateRequest(params);
    } catch {
      // Ignored on purpose: the estimate only sizes the reservation (which is reconciled with
      // the real usage afterwards) and fills `request:start`; with none, the attempt goes on
      // as it would without an estimator, and nothing is calibrated from it.
      return undefined;
    }
  }

  private async acquire(
    params: Anthropic.MessageCreateParamsNonStreaming,
    estimate: RequestTokenEstimate | undefined,
  ): Promise<Reservation | undefined> {
    const { admission } = this.settings;
    if (!admission) return undefined;
    const { signal, requestId } = this.input;
    try {
      return await admission.acquire({
        model: this.model,
        inputTokens: estimate?.inputTokens ?? 0,
        maxOutputTokens: params.max_tokens,
        requestId,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw abortedError(this.context, error);
      throw error;
    }
  }

  /** Sends the attempt, streaming or not; resolves to its error when it failed. */
  private async execute(attempt: Attempt): Promise<{ error: unknown } | undefined> {
    const { settings, input } = this;
    const onEvent = input.onEvent;
    const attemptInput: AttemptInput = {
      client: settings.client,
      params: attempt.params,
      snapshot: input.snapshot,
      clock: settings.clock,
      signal: input.signal,
      headers: input.headers,
      state: attempt.state,
      onText: input.onText,
      onEvent: onEvent ? (event) => onEvent(event, { attempt: attempt.number }) : undefined,
      onResponse: (response) =>
        observeResponse(this.context, attempt, { status: response.status, headers: response.headers }),
      afterEvent: this.afterEvent,
      onFirstContent: () =>
        settings.bus.emit('stream:first_token', {
          requestId: input.requestId,
          model: this.model,
          attempt: attempt.number,
          timeToFirstTokenMs: settings.clock.now() - attempt.startedAtMs,
        }),
    };
    try {
      if (input.streaming) {
        const { stallTimeoutMs, pingsCountAsActivity } = settings;
        await runStreamingAttempt({ ...attemptInput, stallTimeoutMs, pingsCountAsActivity });
      } else {
        await runNonStreamingAttempt({ ...attemptInput, timeoutMs: settings.nonStreamingTimeoutMs });
      }
      return undefined;
    } catch (error) {
      return { error };
    }
  }

  /**
   * Settles an attempt through the handles it holds, once: its reservation is reconciled with
   * its usage (`partial` for a broken one) or released when it never reached the model, and a
   * complete attempt calibrates the estimate made for it. `usage` is for observers.
   */
  private settle(attempt: Attempt, partial: boolean): void {
    const { snapshot, requestId } = this.input;
    const reachedModel = snapshot.attemptStarted;
    const usage = snapshot.finishAttempt(partial);
    if (!reachedModel) {
      attempt.reservation?.release();
      return;
    }
    if (partial) {
      attempt.reservation?.reconcile(usage, { partial: true });
    } else {
      attempt.reservation?.reconcile(usage);
      if (attempt.estimate) this.settings.estimator?.calibrate?.(attempt.estimate, usage);
    }
    this.settings.bus.emit('usage', {
      requestId,
      model: this.model,
      attempt: attempt.number,
      usage,
      partial,
    });
  }

  /** The request succeeded: the checkpoint goes, and `request:end` reports the whole request. */
  private async finish(): Promise<Anthropic.Message> {
    const { snapshot, requestId } = this.input;
    const message = snapshot.toMessage() as Anthropic.Message;
    await this.context.checkpointer?.delete();
    this.context.outcome.reported = true;
    this.settings.bus.emit('request:end', {
      requestId,
      model: this.model,
      durationMs: this.settings.clock.now() - this.startedAtMs,
      attempts: this.attempt,
      retries: this.recovery.retries,
      resumes: this.resumes,
      stopReason: message.stop_reason,
      usage: snapshot.totalUsage(),
      ...(message.id ? { responseId: message.id } : {}),
      ...(message.model ? { responseModel: message.model } : {}),
    });
    return message;
  }
}

/** Runs one request to its end (see `RequestRun`). */
export function runRequest(settings: ClientSettings, input: RunInput): Promise<Anthropic.Message> {
  return new RequestRun(settings, input).run();
}
