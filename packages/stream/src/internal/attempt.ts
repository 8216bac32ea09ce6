import type Anthropic from '@anthropic-ai/sdk';
import { Stream } from '@anthropic-ai/sdk/core/streaming';
import type { Clock } from '@bulwark/core';
import type { MessageSnapshot } from './message-snapshot.js';
import { startStallWatchdog } from './stall-watchdog.js';
import { StreamFailure } from './stream-failure.js';

/** What an attempt reports while it runs, and what the runner reads after it failed. */
export interface AttemptState {
  /** True once response headers of a successful response arrived. */
  streamStarted: boolean;
  /** How long the stream was silent when the stall watchdog fired. */
  stalledAfterMs: number | undefined;
}

export interface AttemptInput {
  client: Anthropic;
  params: Anthropic.MessageCreateParamsNonStreaming;
  snapshot: MessageSnapshot;
  clock: Clock;
  signal: AbortSignal | undefined;
  headers: Readonly<Record<string, string>> | undefined;
  state: AttemptState;
  onResponse(response: Response): void;
  onText: ((text: string) => void) | undefined;
  onEvent: ((event: Anthropic.RawMessageStreamEvent) => void) | undefined;
  afterEvent(): void;
  /** Called once, when the attempt's first content delta (text, thinking or tool input) arrives. */
  onFirstContent?(): void;
}

/** Aborts `controller` when `signal` does; returns the unsubscribe. */
function linkSignal(signal: AbortSignal | undefined, controller: AbortController): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    controller.abort(signal.reason);
    return () => {};
  }
  const abort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', abort, { once: true });
  return () => signal.removeEventListener('abort', abort);
}

function errorTypeOf(data: string): string | undefined {
  try {
    const body = JSON.parse(data) as { error?: { type?: unknown } };
    return typeof body.error?.type === 'string' ? body.error.type : undefined;
  } catch {
    // An error frame whose data is not JSON is still an error event, just one of unknown type.
    return undefined;
  }
}

/**
 * One streaming attempt over the raw SSE of `messages.create({ stream: true })`: the SDK makes
 * the request (with its own retries off) and parses the SSE frames; this reads them through
 * `Stream.rawEvents`, which keeps the `ping` frames the SDK's own iterator drops, so pings can
 * count as liveness. Every event is folded into the caller's snapshot before anything else.
 */
export async function runStreamingAttempt(
  input: AttemptInput & { stallTimeoutMs: number; pingsCountAsActivity: boolean },
): Promise<void> {
  const { client, params, snapshot, clock, signal, state, onText, onEvent } = input;
  let firstContent = input.onFirstContent;
  const controller = new AbortController();
  const unlink = linkSignal(signal, controller);
  const watchdog = startStallWatchdog(clock, input.stallTimeoutMs, (idleMs) => {
    state.stalledAfterMs = idleMs;
    controller.abort();
  });
  let finished = false;
  try {
    const response = await client.messages
      .create(
        { ...params, stream: true },
        { maxRetries: 0, signal: controller.signal, ...(input.headers ? { headers: input.headers } : {}) },
      )
      .asResponse();
    state.streamStarted = true;
    watchdog.touch();
    input.onResponse(response);
    for await (const frame of Stream.rawEvents(response, controller)) {
      if (frame.event === 'ping') {
        if (input.pingsCountAsActivity) watchdog.touch();
        continue;
      }
      watchdog.touch();
      if (frame.event === 'error') {
        const errorType = errorTypeOf(frame.data);
        throw new StreamFailure('error_event', `The stream sent an error event: ${frame.data}`, {
          ...(errorType === undefined ? {} : { errorType }),
        });
      }
      if (frame.event === null || frame.data.length === 0) continue;
      let event: Anthropic.RawMessageStreamEvent;
      try {
        event = JSON.parse(frame.data) as Anthropic.RawMessageStreamEvent;
      } catch (error) {
        throw new StreamFailure(
          'malformed',
          `The stream sent a frame that is not JSON: ${frame.data.slice(0, 120)}`,
          {
            cause: error,
          },
        );
      }
      const text = snapshot.apply(event);
      if (event.type === 'content_block_delta' && firstContent !== undefined) {
        firstContent();
        firstContent = undefined;
      }
      try {
        if (onEvent) onEvent(event);
        if (text !== undefined && onText) onText(text);
      } catch (error) {
        throw new StreamFailure('callback', 'A callback (`onText` or `onEvent`) threw', { cause: error });
      }
      input.afterEvent();
    }
    if (!snapshot.attemptStopped) {
      throw new StreamFailure('incomplete', 'The stream ended without `message_stop`');
    }
    finished = true;
  } catch (error) {
    if (state.stalledAfterMs !== undefined && !signal?.aborted) {
      throw new StreamFailure('stall', `The stream sent nothing for ${state.stalledAfterMs} ms`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    watchdog.stop();
    unlink();
    // Closes the connection of a stream that is given up, so no socket is left open.
    if (!finished) controller.abort();
  }
}

/** One non-streaming attempt, bounded by `timeoutMs` on the injected clock (and the SDK's). */
export async function runNonStreamingAttempt(input: AttemptInput & { timeoutMs: number }): Promise<void> {
  const { client, params, snapshot, clock, signal, state, onText } = input;
  const controller = new AbortController();
  const unlink = linkSignal(signal, controller);
  let timedOut = false;
  const timer = Number.isFinite(input.timeoutMs)
    ? clock.setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, input.timeoutMs)
    : undefined;
  try {
    const { data, response } = await client.messages
      .create(
        { ...params, stream: false },
        {
          maxRetries: 0,
          signal: controller.signal,
          // An explicit timeout also skips the SDK's refusal of long non-streaming requests.
          timeout: Number.isFinite(input.timeoutMs) ? input.timeoutMs : 2 ** 31 - 1,
          ...(input.headers ? { headers: input.headers } : {}),
        },
      )
      .withResponse();
    input.onResponse(response);
    const text = snapshot.adoptMessage(data);
    try {
      if (text.length > 0 && onText) onText(text);
    } catch (error) {
      throw new StreamFailure('callback', 'The `onText` callback threw', { cause: error });
    }
  } catch (error) {
    if (timedOut && !signal?.aborted) {
      throw new StreamFailure('timeout', `No response within ${input.timeoutMs} ms`, { cause: error });
    }
    throw error;
  } finally {
    timer?.cancel();
    unlink();
    state.streamStarted = false;
  }
}
