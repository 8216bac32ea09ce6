import { type ClockTimer, isAbortError } from '@bulwark/core';
import { sleep } from '@bulwark/core/internal';
import type { Fault } from '../fault.js';
import type { Exchange } from './exchange.js';
import { errorFrame, malformedFrame, pingFrame, type SseFrame } from './message-body.js';
import { writeThenDestroy } from './replies.js';

function streamFaultPosition(fault: Fault | undefined, frameCount: number): number | undefined {
  if (!fault || !('afterEvents' in fault)) return undefined;
  return Math.min(fault.afterEvents, frameCount - 1);
}

/** Answers 200 with an event stream and writes `frames`: true when it reached `message_stop`. */
export function writeMessageStream(
  exchange: Exchange,
  headers: Readonly<Record<string, string>>,
  frames: SseFrame[],
  fault: Fault | undefined,
): Promise<boolean> {
  exchange.state.recordStatus(exchange.entry, 200);
  exchange.response.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  return new FrameWriter(exchange).write(frames, fault);
}

/**
 * Writes the SSE frames of one response with pacing, pings and any stream fault. Frames are
 * batched between waits, so an unpaced stream is one socket write.
 */
class FrameWriter {
  readonly #exchange: Exchange;
  #buffer = '';
  #pingsEnabled = true;
  #pingTimer: ClockTimer | undefined;
  #finished = false;

  constructor(exchange: Exchange) {
    this.#exchange = exchange;
  }

  /** Resolves to true when the stream reached `message_stop`, false when it was cut. */
  async write(frames: SseFrame[], fault: Fault | undefined): Promise<boolean> {
    const { response, entry, signal, state } = this.#exchange;
    const { tokensPerSecond, pingIntervalMs } = state.settings;
    const faultAt = streamFaultPosition(fault, frames.length);
    const deltaDelayMs = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;
    this.#schedulePing(pingIntervalMs);
    try {
      for (let index = 0; index <= frames.length; index += 1) {
        if (signal.aborted) return false;
        if (index === faultAt && fault && !(await this.#applyFault(fault))) return false;
        const frame = frames[index];
        if (!frame) break;
        if (frame.isDelta && deltaDelayMs > 0 && !(await this.#wait(deltaDelayMs))) return false;
        this.#buffer += frame.text;
        entry.eventsSent += 1;
        if (frame.isDelta) entry.outputTokens += 1;
      }
      response.end(this.#buffer);
      return true;
    } finally {
      this.#finished = true;
      this.#pingTimer?.cancel();
    }
  }

  /** Applies a fault at its place in the stream; resolves to false when it ended the stream. */
  async #applyFault(fault: Fault): Promise<boolean> {
    const { response, entry, state } = this.#exchange;
    switch (fault.kind) {
      case 'drop':
        this.#finished = true;
        writeThenDestroy(response, this.#buffer);
        return false;
      case 'close_without_stop':
        response.end(this.#buffer);
        return false;
      case 'error_event': {
        const type = fault.errorType ?? 'overloaded_error';
        const message = type === 'overloaded_error' ? 'Overloaded' : 'Internal server error';
        entry.errorType = type;
        response.end(this.#buffer + errorFrame(type, message, entry.requestId));
        return false;
      }
      case 'malformed':
        response.end(this.#buffer + malformedFrame);
        return false;
      case 'stall': {
        const { pingIntervalMs } = state.settings;
        this.#pingsEnabled = fault.pings === true;
        if (this.#pingsEnabled) this.#schedulePing(pingIntervalMs > 0 ? pingIntervalMs : 1000);
        if (!(await this.#wait(fault.durationMs))) return false;
        this.#pingsEnabled = true;
        this.#schedulePing(pingIntervalMs);
        return true;
      }
      default:
        return true;
    }
  }

  #schedulePing(intervalMs: number): void {
    this.#pingTimer?.cancel();
    if (intervalMs <= 0) return;
    const { response, entry, signal, state } = this.#exchange;
    this.#pingTimer = state.clock.setTimeout(() => {
      if (this.#finished || signal.aborted) return;
      if (this.#pingsEnabled) {
        response.write(pingFrame);
        entry.pingsSent += 1;
      }
      this.#schedulePing(intervalMs);
    }, intervalMs);
  }

  /** Sends what is buffered, then waits; resolves to false when the wait was aborted. */
  async #wait(delayMs: number): Promise<boolean> {
    if (this.#buffer.length > 0) this.#exchange.response.write(this.#buffer);
    this.#buffer = '';
    try {
      await sleep(this.#exchange.state.clock, delayMs, this.#exchange.signal);
      return true;
    } catch (error) {
      // Aborted: the client went away or the server is closing, so the stream just stops.
      if (isAbortError(error)) return false;
      throw error;
    }
  }
}
