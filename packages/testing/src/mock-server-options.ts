import type { Clock } from '@bulwark/core';
import type { FaultPlan } from './fault.js';
import type { MockBatchOptions } from './mock-batch-options.js';
import type { ServerTokenizerOptions } from './server-tokenizer.js';

/** Per-minute limits of one model class; a limit left out is unlimited. */
export interface MockRateLimits {
  requestsPerMinute?: number;
  inputTokensPerMinute?: number;
  outputTokensPerMinute?: number;
}

/** Options of `startMockServer`. Every option is optional. */
export interface MockServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Every generated text, id and random fault derives from it. @default 1 */
  seed?: number;
  /** When set, `x-api-key` or `authorization: Bearer` must match it, else 401. @default undefined */
  apiKey?: string;
  /**
   * Length of an answer in server tokens (one per text delta) before `max_tokens` caps it,
   * drawn per seed and request. @default { min: 40, max: 400 }
   */
  outputTokens?: number | { min: number; max: number };
  /** Pacing of streamed output; 0 writes everything at once. @default 0 */
  tokensPerSecond?: number;
  /** `ping` events every N ms while a stream is open; 0 sends none. @default 0 */
  pingIntervalMs?: number;
  /** The server's tokenizer for input tokens. @default { ratio: 1.2, messageOverheadTokens: 4, requestOverheadTokens: 6 } */
  tokenizer?: ServerTokenizerOptions;
  /** Limits for every model class. @default unlimited (headers still sent, with large limits) */
  rateLimits?: MockRateLimits;
  /** Per-class overrides, keyed by model class such as `claude-sonnet-4`. @default {} */
  rateLimitsByModelClass?: Record<string, MockRateLimits>;
  /** Faults to inject. @default none */
  faults?: FaultPlan;
  /** How the Message Batches endpoints behave: speed, queue, limits, per-request faults. @default see `MockBatchOptions` */
  batches?: MockBatchOptions;
  /** Time for buckets, reset headers, pacing, stalls and slow headers. @default systemClock */
  clock?: Clock;
}
