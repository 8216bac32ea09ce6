/**
 * A failure the mock server injects into one request. `afterEvents` counts the SSE events
 * written before the fault, `message_start` being the first; `ping` events are not counted.
 * When `afterEvents` is at or past the end of the stream, the fault happens just before
 * `message_stop`, so it always takes effect.
 */
export type Fault =
  | {
      kind: 'status';
      /** HTTP status to answer with, such as 429, 500 or 529. */
      status: number;
      /** `error.type` of the body; derived from the status when absent (529 `overloaded_error`). */
      errorType?: string;
      /** Sends `retry-after` with this many seconds. */
      retryAfterSeconds?: number;
      /** Sends `x-should-retry: true|false`; 529 sends `true` unless this says otherwise. */
      shouldRetry?: boolean;
    }
  /** 429 `rate_limit_error` without `retry-after`, `error.details.error_code: enforced_spend_limit_reached`; sticky until `reset()`. */
  | { kind: 'spend_limit' }
  /** The socket is destroyed before any response byte. */
  | { kind: 'reset_before_headers' }
  /** Response headers are delayed by `delayMs` (on the server's clock), then the response is normal. */
  | { kind: 'slow_headers'; delayMs: number }
  /** The socket is destroyed after `afterEvents` events. */
  | { kind: 'drop'; afterEvents: number }
  /** The response ends cleanly after `afterEvents` events, without `message_stop`. */
  | { kind: 'close_without_stop'; afterEvents: number }
  /** After `afterEvents` events nothing is sent for `durationMs` (or only pings), then the stream goes on. */
  | { kind: 'stall'; afterEvents: number; durationMs: number; pings?: boolean }
  /** After `afterEvents` events, an `event: error` frame, then the response ends. */
  | { kind: 'error_event'; afterEvents: number; errorType?: 'overloaded_error' | 'api_error' }
  /** After `afterEvents` events, a frame whose `data:` is broken JSON, then the response ends. */
  | { kind: 'malformed'; afterEvents: number };

/** The kinds of `Fault`. */
export type FaultKind = Fault['kind'];

/** Which requests get which faults. */
export interface FaultPlan {
  /** Faults by the 1-based index of `POST /v1/messages` requests on this server. */
  schedule?: Record<number, Fault>;
  /** Each request gets one of `faults` with `probability`, drawn from the seed and its index. */
  random?: { probability: number; faults: Fault[] };
}
