import type { AlertRaisedEvent, AlertResolvedEvent } from './alert-events.js';
import type {
  BatchCanceledEvent,
  BatchCollectedEvent,
  BatchEndedEvent,
  BatchJobEndEvent,
  BatchJobStartEvent,
  BatchProgressEvent,
  BatchRetryingEvent,
  BatchSubmittedEvent,
  BatchThrottledEvent,
} from './batch-events.js';
import type { FileChunkEvent, FileRefusedEvent } from './file-events.js';
import type {
  BudgetExceededEvent,
  BudgetLevelEvent,
  RateLimitAdmitEvent,
  RateLimitStoreFailedEvent,
  RateLimitThrottledEvent,
  RateLimitUpdateEvent,
  RateLimitWaitEvent,
} from './ratelimit-events.js';
import type {
  CheckpointFailedEvent,
  CheckpointSavedEvent,
  CircuitStateEvent,
  FallbackSwitchedEvent,
  RequestEndEvent,
  RequestErrorEvent,
  RequestStartEvent,
  RetryScheduledEvent,
  StreamContinueEvent,
  StreamFirstTokenEvent,
  StreamProgressEvent,
  StreamResumeEvent,
  StreamStallEvent,
  UsageEvent,
} from './request-events.js';

/**
 * Every event any Bulwark package emits, by name, with its payload. Names are `area:what`.
 * Payloads that belong to a request carry its `requestId`. No payload ever carries an API
 * key or a prompt. Packages add fields here as they need them: this is the one place to read.
 * The payload types live beside it, one file per area.
 */
export interface BulwarkEvents {
  // ---- requests (@bulwark/stream) ----
  /** An attempt of a request is about to be sent; says whether it streams and why. */
  'request:start': RequestStartEvent;
  /** A request finished successfully (after any retries and resumes). */
  'request:end': RequestEndEvent;
  /** An attempt failed; `willRetry` says whether another attempt follows. */
  'request:error': RequestErrorEvent;
  /** A retry (or a resume) is scheduled after a delay. */
  'retry:scheduled': RetryScheduledEvent;
  /** The first content of an attempt arrived (text, thinking or tool input). */
  'stream:first_token': StreamFirstTokenEvent;
  /** Periodic progress of a streaming response. */
  'stream:progress': StreamProgressEvent;
  /** A stream sent nothing for longer than the stall timeout and was aborted. */
  'stream:stall': StreamStallEvent;
  /** A broken stream is being continued rather than restarted. */
  'stream:resume': StreamResumeEvent;
  /** An answer that stopped at `max_tokens` (or paused) is continued by another call. */
  'stream:continue': StreamContinueEvent;
  /** A request moves to the next model of its fallback list. */
  'fallback:switched': FallbackSwitchedEvent;
  /** A model's circuit breaker changed state. */
  'circuit:state': CircuitStateEvent;
  /** Token usage the API reported for one attempt of a request. */
  usage: UsageEvent;
  /** A partial result was saved to the checkpoint store. */
  'checkpoint:saved': CheckpointSavedEvent;
  /** Saving or deleting a checkpoint failed; the request goes on, but a resume may find less. */
  'checkpoint:failed': CheckpointFailedEvent;

  // ---- rate limits and budgets (@bulwark/ratelimit) ----
  /** A caller has to wait for capacity. */
  'ratelimit:wait': RateLimitWaitEvent;
  /** A caller was admitted and its capacity reserved. */
  'ratelimit:admit': RateLimitAdmitEvent;
  /** Limits or levels changed from configuration or the server's headers. */
  'ratelimit:update': RateLimitUpdateEvent;
  /** The server answered 429: admission on the model class pauses until `resumeAt`. */
  'ratelimit:throttled': RateLimitThrottledEvent;
  /** A store operation the limiter did not wait for failed (a refund, a header sync, a 429's pause). */
  'ratelimit:store_failed': RateLimitStoreFailedEvent;
  /** A call was refused before it was made because it would pass a token or cost budget. */
  'budget:exceeded': BudgetExceededEvent;
  /** How much of a budget's period is used, after each call that counts toward it. */
  'budget:level': BudgetLevelEvent;

  // ---- files (@bulwark/files) ----
  /** A chunk of a file was produced. */
  'file:chunk': FileChunkEvent;
  /** A path was refused (outside the root, a symlink escape, not a file, too large, ...). */
  'file:refused': FileRefusedEvent;

  // ---- alerts (@bulwark/alerts) ----
  /** An alert rule's condition became true. */
  'alert:raised': AlertRaisedEvent;
  /** A raised alert's condition is no longer true. */
  'alert:resolved': AlertResolvedEvent;
  // ---- Message Batches (@bulwark/batches) ----
  /** A batch job starts, or resumes from its saved state. */
  'batch:job_start': BatchJobStartEvent;
  /** A Message Batch was created (or found on the API after a crash and adopted). */
  'batch:submitted': BatchSubmittedEvent;
  /** A poll of a Message Batch: its processing status and request counts per state. */
  'batch:progress': BatchProgressEvent;
  /** A Message Batch finished processing. */
  'batch:ended': BatchEndedEvent;
  /** A Message Batch's results were read: counts by type, tokens and cost at batch prices. */
  'batch:collected': BatchCollectedEvent;
  /** Errored (retryable) and expired requests go into a new batch. */
  'batch:retrying': BatchRetryingEvent;
  /** A call to the batch endpoints failed transiently and is tried again after a wait. */
  'batch:throttled': BatchThrottledEvent;
  /** A batch in flight was cancelled on the API because the job's signal aborted. */
  'batch:canceled': BatchCanceledEvent;
  /** A batch job finished: final counts, tokens and cost. */
  'batch:job_end': BatchJobEndEvent;
}

/** The name of any Bulwark event. */
export type BulwarkEventName = keyof BulwarkEvents;

/** Every event name, at run time (for subscribers such as loggers that want them all). */
export const bulwarkEventNames = [
  'request:start',
  'request:end',
  'request:error',
  'retry:scheduled',
  'stream:first_token',
  'stream:progress',
  'stream:stall',
  'stream:resume',
  'stream:continue',
  'fallback:switched',
  'circuit:state',
  'usage',
  'checkpoint:saved',
  'checkpoint:failed',
  'ratelimit:wait',
  'ratelimit:admit',
  'ratelimit:update',
  'ratelimit:throttled',
  'ratelimit:store_failed',
  'budget:exceeded',
  'budget:level',
  'file:chunk',
  'file:refused',
  'alert:raised',
  'alert:resolved',
  'batch:job_start',
  'batch:submitted',
  'batch:progress',
  'batch:ended',
  'batch:collected',
  'batch:retrying',
  'batch:throttled',
  'batch:canceled',
  'batch:job_end',
] as const satisfies readonly BulwarkEventName[];
