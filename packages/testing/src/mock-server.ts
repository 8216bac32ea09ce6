import type { Fault, FaultPlan } from './fault.js';
import type { ServerTokenizer } from './server-tokenizer.js';

/** How a request continued an earlier answer: not at all, by prefill, or by a continuation user turn. */
export type ContinuationKind = 'none' | 'prefill' | 'user_turn';

/** One HTTP request the server received and what it did with it. */
export interface RequestLogEntry {
  /** 1-based, per server, over every HTTP request. */
  index: number;
  /** 1-based index among `POST /v1/messages` requests (what `faults.schedule` is keyed by). */
  messageIndex?: number;
  /** The `request-id` header sent back. */
  requestId: string;
  method: string;
  /** The path without the query string. */
  path: string;
  model?: string;
  stream: boolean;
  /** The HTTP status sent; 0 when the socket was destroyed before any header. */
  status: number;
  /** `error.type` of an error answer (status or mid-stream). */
  errorType?: string;
  fault?: Fault;
  /** SSE events written, `ping` events not counted. */
  eventsSent: number;
  /** `ping` events written. */
  pingsSent: number;
  inputTokens: number;
  /** Output tokens actually sent (a cut stream counts what was written). */
  outputTokens: number;
  continuation: ContinuationKind;
  /** Clock time (ms) when the request arrived. */
  receivedAt: number;
  /** Clock time (ms) when the response ended or the socket was destroyed. */
  finishedAt?: number;
  /**
   * The message of an error inside the mock itself (a bug in `@bulwark/testing`): the client got
   * a 500 `api_error`, or a destroyed socket when the headers had gone out.
   */
  internalError?: string;
}

/** Counters since start or the last `reset()`. */
export interface MockServerStats {
  /** Every HTTP request. */
  requests: number;
  /** `POST /v1/messages` requests. */
  messages: number;
  /** Streamed messages requests. */
  streams: number;
  /** Responses that reached their natural end (`message_stop` or a full JSON body). */
  completed: number;
  /** Requests a fault was applied to. */
  faults: number;
  /** 429s from the rate-limit buckets (not from faults). */
  rateLimited: number;
  /** Responses by HTTP status (0: socket destroyed before headers). */
  byStatus: Record<number, number>;
  inputTokens: number;
  outputTokens: number;
}

/** A running mock Messages API server. */
export interface MockServer {
  /** `http://127.0.0.1:PORT`, for the SDK's `baseURL`. */
  readonly url: string;
  readonly port: number;
  /** One entry per HTTP request, oldest first (the same array across `reset()`). */
  readonly requests: RequestLogEntry[];
  readonly stats: MockServerStats;
  /** The tokenizer the server counts input tokens with. */
  readonly tokenizer: ServerTokenizer;
  /** Clears the log, stats, fault counters, the spend-limit state and the rate-limit buckets. */
  reset(): void;
  /** Replaces the fault plan (and clears a reached spend limit); `undefined` removes all faults. */
  setFaults(plan: FaultPlan | undefined): void;
  /**
   * The text the server generates for `request` (a Messages request body) when nothing
   * interrupts it: any prefill or continuation turn removed, capped by `max_tokens`.
   */
  expectedText(request: unknown): string;
  /** Stops the server: ends open responses, destroys keep-alive sockets, cancels timers. */
  close(): Promise<void>;
}
