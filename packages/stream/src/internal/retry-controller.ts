import { sleep, summarizeError } from '@bulwark/core/internal';
import { StreamInterruptedError } from '../stream-interrupted-error.js';
import type { ResumePlan } from './message-snapshot.js';
import { classifyFailure, type FailureClassification } from './retry-classification.js';
import { decideRetry, type RetryDecision } from './retry-policy.js';
import { type Attempt, abortedError, observeResponse, type RunContext } from './run-context.js';
import { StreamFailure } from './stream-failure.js';

type GiveUp = Extract<RetryDecision, { retry: false }>;
type Retry = Extract<RetryDecision, { retry: true }>;

/** The plan of an attempt that starts over. */
export const restartPlan: ResumePlan = { kind: 'restart', regeneratedBlocks: 0 };

/**
 * What one request does after a failed attempt: classify the failure, tell the admission gate,
 * then retry after the right wait or give up with the reason. Holds what the request has spent
 * on retries so far.
 */
export class RetryController {
  /** Every retry and resume, for `request:end`. */
  retries = 0;
  /** Retries that count toward `maxRetries` (not the 429s the admission gate paces). */
  private countedRetries = 0;
  /** Every wait so far, together. */
  private totalDelayMs = 0;

  constructor(private readonly context: RunContext) {}

  /** Resolves, after the wait, to the plan of the next attempt; throws when the request stops. */
  async recover(attempt: Attempt, error: unknown): Promise<ResumePlan> {
    const { settings, input, model } = this.context;
    const base = { requestId: input.requestId, model, attempt: attempt.number };
    if (input.signal?.aborted) {
      const aborted = abortedError(this.context, error);
      this.context.outcome.reported = true;
      settings.bus.emit('request:error', { ...base, error: summarizeError(aborted), willRetry: false });
      throw aborted;
    }
    const { streamStarted, stalledAfterMs } = attempt.state;
    const classification = classifyFailure(error, { streamStarted, nowMs: settings.clock.now() });
    this.observeFailure(attempt, error, classification);
    if (stalledAfterMs !== undefined) {
      const { pingsCountAsActivity } = settings;
      settings.bus.emit('stream:stall', { ...base, idleMs: stalledAfterMs, pingsCountAsActivity });
    }
    const decision = decideRetry(
      classification,
      { countedRetries: this.countedRetries, totalDelayMs: this.totalDelayMs },
      { retry: settings.retry, random: settings.random, hasAdmission: settings.admission !== undefined },
    );
    const { status, errorType: type } = classification;
    if (!decision.retry) this.context.outcome.reported = true;
    settings.bus.emit('request:error', {
      ...base,
      error: summarizeError(error, { status, type }),
      willRetry: decision.retry,
      ...(decision.retry ? {} : { giveUpReason: decision.giveUpReason }),
    });
    if (!decision.retry) throw await this.giveUp(attempt, error, classification, decision);
    return this.retryAfterWait(attempt, classification, decision);
  }

  /** A status answer, or an `event: error` frame, tells the gate what the server said. */
  private observeFailure(attempt: Attempt, error: unknown, classification: FailureClassification): void {
    const { status, headers, errorType, errorCode } = classification;
    if (status !== undefined) {
      observeResponse(this.context, attempt, {
        status,
        ...(headers ? { headers } : {}),
        ...(errorType ? { errorType } : {}),
        ...(errorCode ? { errorCode } : {}),
      });
    } else if (error instanceof StreamFailure && error.kind === 'error_event' && error.errorType) {
      observeResponse(this.context, attempt, { errorType: error.errorType });
    }
  }

  /** Saves what was received for `resumeFromCheckpoint`, and says why the request stops. */
  private async giveUp(
    attempt: Attempt,
    error: unknown,
    classification: FailureClassification,
    decision: GiveUp,
  ): Promise<StreamInterruptedError> {
    const { input, checkpointer } = this.context;
    if (checkpointer) await checkpointer.save();
    return new StreamInterruptedError({
      message: `Request ${input.requestId} failed after ${attempt.number} attempt(s); ${decision.detail}: ${summarizeError(error).message}`,
      cause: error,
      partial: input.snapshot.toMessage(),
      attempts: attempt.number,
      giveUpReason: decision.giveUpReason,
      reason: classification.reason,
      status: classification.status,
      errorType: classification.errorType,
      errorCode: classification.errorCode,
      isRetryable: classification.retryable,
    });
  }

  /** Plans the next attempt (resume or restart), reports it, and waits unless the gate paces it. */
  private async retryAfterWait(
    attempt: Attempt,
    classification: FailureClassification,
    decision: Retry,
  ): Promise<ResumePlan> {
    const { settings, input, model, checkpointer } = this.context;
    const plan = input.streaming ? input.snapshot.planResume() : restartPlan;
    settings.bus.emit('retry:scheduled', {
      requestId: input.requestId,
      model,
      attempt: attempt.number,
      nextAttempt: attempt.number + 1,
      delayMs: decision.delayMs,
      reason: classification.reason ?? 'server_error',
      ...(classification.status === undefined ? {} : { status: classification.status }),
      resume: plan.kind === 'resume',
    });
    if (checkpointer && input.snapshot.blocks.length > 0) void checkpointer.save();
    this.retries += 1;
    if (decision.pacedBy === 'backoff') this.countedRetries += 1;
    this.totalDelayMs += decision.delayMs;
    // The gate makes the next `acquire` wait for a 429 it paces; a zero wait needs no timer
    // (and no clock to move it, under a manual clock).
    if (decision.pacedBy === 'admission' || decision.delayMs === 0) return plan;
    try {
      await sleep(settings.clock, decision.delayMs, input.signal);
    } catch (sleepError) {
      throw abortedError(this.context, sleepError);
    }
    return plan;
  }
}
