import type { ServerResponse } from 'node:http';
import type { Clock, ClockTimer } from '@bulwark/core';
import { sleep } from '@bulwark/core/internal';
import type { Fault } from '../fault.js';
import type { RequestLogEntry } from '../mock-server.js';
import { errorFrame, malformedFrame, pingFrame, type SseFrame } from './message-body.js';

/** What a response needs from the server while it is written. */
export interface WriteContext {
  response: ServerResponse;
  entry: RequestLogEntry;
  clock: Clock;
  /** Aborted when the client goes away or the server closes. */
  signal: AbortSignal;
  tokensPerSecond: number;
  pingIntervalMs: number;
}

/** Destroys the socket once `data` has been handed to it, so the client sees those bytes first. */
export function writeThenDestroy(response: ServerResponse, data: string): void {
  const destroy = (): void => {
    response.socket?.destroy();
    response.destroy();
  };
  if (data.length === 0) destroy();
  else response.write(data, destroy);
}

function streamFaultPosition(fault: Fault | undefined, frameCount: number): number | undefined {
  if (!fault || !('afterEvents' in fault)) return undefined;
  return Math.min(fault.afterEvents, frameCount - 1);
}

/**
 * Writes SSE frames with pacing, pings and any stream fault. Frames are batched between waits,
 * so an unpaced stream is one write. Resolves to true when the stream reached `message_stop`, false when it was cut.
 */
export async function writeStream(
  context: WriteContext,
  frames: SseFrame[],
  fault: Fault | undefined,
): Promise<boolean> {
  const { response, entry, clock, signal, tokensPerSecond, pingIntervalMs } = context;
  const faultAt = streamFaultPosition(fault, frames.length);
  const deltaDelayMs = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;
  let buffer = '';
  let pingsEnabled = true;
  let pingTimer: ClockTimer | undefined;
  let finished = false;

  const schedulePing = (intervalMs: number): void => {
    pingTimer?.cancel();
    if (intervalMs <= 0) return;
    pingTimer = clock.setTimeout(() => {
      if (finished || signal.aborted) return;
      if (pingsEnabled) {
        response.write(pingFrame);
        entry.pingsSent += 1;
      }
      schedulePing(intervalMs);
    }, intervalMs);
  };
  const flush = (): void => {
    if (buffer.length > 0) response.write(buffer);
    buffer = '';
  };
  const wait = async (delayMs: number): Promise<boolean> => {
    flush();
    try {
      await sleep(clock, delayMs, signal);
      return true;
    } catch {
      return false;
    }
  };

  schedulePing(pingIntervalMs);
  try {
    for (let index = 0; index <= frames.length; index += 1) {
      if (signal.aborted) return false;
      if (index === faultAt && fault) {
        switch (fault.kind) {
          case 'drop':
            finished = true;
            writeThenDestroy(response, buffer);
            return false;
          case 'close_without_stop':
            response.end(buffer);
            return false;
          case 'error_event': {
            const type = fault.errorType ?? 'overloaded_error';
            entry.errorType = type;
            response.end(
              buffer +
                errorFrame(
                  type,
                  type === 'overloaded_error' ? 'Overloaded' : 'Internal server error',
                  entry.requestId,
                ),
            );
            return false;
          }
          case 'malformed':
            response.end(buffer + malformedFrame);
            return false;
          case 'stall': {
            pingsEnabled = fault.pings === true;
            if (pingsEnabled) schedulePing(pingIntervalMs > 0 ? pingIntervalMs : 1000);
            if (!(await wait(fault.durationMs))) return false;
            pingsEnabled = true;
            schedulePing(pingIntervalMs);
            break;
          }
          default:
            break;
        }
      }
      const frame = frames[index];
      if (!frame) break;
      if (frame.isDelta && deltaDelayMs > 0 && !(await wait(deltaDelayMs))) return false;
      buffer += frame.text;
      entry.eventsSent += 1;
      if (frame.isDelta) entry.outputTokens += 1;
    }
    response.end(buffer);
    return true;
  } finally {
    finished = true;
    pingTimer?.cancel();
  }
}
