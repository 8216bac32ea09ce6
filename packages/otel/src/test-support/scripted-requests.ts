import type { BulwarkEventName, BulwarkEvents, Bus, ErrorSummary, GiveUpReason, Usage } from '@bulwark/core';

/** One bus event, ready to emit. */
export type Step = { [Name in BulwarkEventName]: [Name, BulwarkEvents[Name]] }[BulwarkEventName];

export function emitStep(bus: Bus, [name, payload]: Step): void {
  bus.emit(name, payload as never);
}

export function emitAll(bus: Bus, steps: readonly Step[]): void {
  for (const step of steps) emitStep(bus, step);
}

export const model = 'claude-sonnet-4-6';

export function usageOf(inputTokens: number, outputTokens: number, cacheRead = 0, cacheCreation = 0): Usage {
  return {
    inputTokens,
    outputTokens,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
  };
}

function start(requestId: string, attempt: number, resuming = false, maxTokens = 8000): Step {
  return [
    'request:start',
    {
      requestId,
      model,
      attempt,
      streaming: true,
      streamingReason: 'max_tokens',
      maxTokens,
      estimatedInputTokens: 40,
      resuming,
    },
  ];
}

const overloaded: ErrorSummary = {
  name: 'InternalServerError',
  message: '529 Overloaded',
  status: 529,
  type: 'overloaded_error',
};
const promptTooLong: ErrorSummary = {
  name: 'BadRequestError',
  message: '400 prompt is too long',
  status: 400,
  type: 'invalid_request_error',
};

function attemptFailed(
  requestId: string,
  attempt: number,
  error: ErrorSummary,
  willRetry: boolean,
  giveUpReason?: GiveUpReason,
): Step {
  return [
    'request:error',
    { requestId, model, attempt, error, willRetry, ...(giveUpReason === undefined ? {} : { giveUpReason }) },
  ];
}

/**
 * What `@bulwark/stream` emits for a request whose first attempt is answered 529, whose second
 * breaks after 12 output tokens, and whose third resumes and finishes.
 */
export function faultedRequest(requestId: string): Step[] {
  const partialUsage = usageOf(40, 12, 100, 10);
  const finalUsage = usageOf(52, 30, 100, 0);
  return [
    start(requestId, 1),
    attemptFailed(requestId, 1, overloaded, true),
    [
      'retry:scheduled',
      {
        requestId,
        model,
        attempt: 1,
        nextAttempt: 2,
        delayMs: 500,
        reason: 'overloaded',
        status: 529,
        resume: false,
      },
    ],
    start(requestId, 2),
    ['stream:first_token', { requestId, model, attempt: 2, timeToFirstTokenMs: 300 }],
    [
      'stream:progress',
      {
        requestId,
        model,
        attempt: 2,
        outputTokens: 2,
        tokensPerSecond: 10,
        percentOfMaxTokens: 0,
        etaMs: null,
        elapsedMs: 1000,
      },
    ],
    [
      'stream:progress',
      {
        requestId,
        model,
        attempt: 2,
        outputTokens: 12,
        tokensPerSecond: 10,
        percentOfMaxTokens: 0,
        etaMs: null,
        elapsedMs: 2000,
      },
    ],
    ['usage', { requestId, model, attempt: 2, usage: partialUsage, partial: true }],
    attemptFailed(requestId, 2, { name: 'APIConnectionError', message: 'terminated' }, true),
    [
      'retry:scheduled',
      { requestId, model, attempt: 2, nextAttempt: 3, delayMs: 250, reason: 'stream_dropped', resume: true },
    ],
    [
      'stream:resume',
      {
        requestId,
        model,
        attempt: 3,
        strategy: 'user_turn',
        keptOutputTokens: 12,
        keptTextLength: 50,
        regeneratedBlocks: 0,
      },
    ],
    start(requestId, 3, true, 7988),
    ['stream:first_token', { requestId, model, attempt: 3, timeToFirstTokenMs: 200 }],
    ['usage', { requestId, model, attempt: 3, usage: finalUsage, partial: false }],
    [
      'request:end',
      {
        requestId,
        model,
        durationMs: 4000,
        attempts: 3,
        retries: 2,
        resumes: 1,
        stopReason: 'end_turn',
        usage: usageOf(92, 42, 200, 10),
        responseId: `msg_${requestId}`,
        responseModel: `${model}-20260101`,
      },
    ],
  ];
}

/** A request that succeeds at once. */
export function successfulRequest(requestId: string, usage = usageOf(20, 10)): Step[] {
  return [
    start(requestId, 1),
    ['usage', { requestId, model, attempt: 1, usage, partial: false }],
    [
      'request:end',
      {
        requestId,
        model,
        durationMs: 100,
        attempts: 1,
        retries: 0,
        resumes: 0,
        stopReason: 'end_turn',
        usage,
      },
    ],
  ];
}

/** A request refused with a 400 on its first attempt. */
export function failedRequest(requestId: string): Step[] {
  return [start(requestId, 1), attemptFailed(requestId, 1, promptTooLong, false, 'not_retryable')];
}
