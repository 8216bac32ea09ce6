import type { Clock } from '@bulwark/core';
import type { FaultPlan } from '../fault.js';
import type { MockServerStats, RequestLogEntry } from '../mock-server.js';
import { createServerTokenizer, type ServerTokenizer } from '../server-tokenizer.js';
import { BatchRegistry } from './batches/batch-registry.js';
import { parseFaultPlan } from './faults.js';
import type { ResolvedOptions } from './options.js';
import { randomFor, randomId } from './random.js';
import { RateLimiter } from './rate-limiter.js';
import { ResponseGenerator } from './response-plan.js';

function emptyStats(): MockServerStats {
  return {
    requests: 0,
    messages: 0,
    streams: 0,
    completed: 0,
    faults: 0,
    rateLimited: 0,
    byStatus: {},
    inputTokens: 0,
    outputTokens: 0,
  };
}

/**
 * Everything one server remembers between requests: its settings and the parts built from them,
 * the request log, the stats, the request counters, the fault plan and the spend-limit flag.
 * Every handler receives it; `reset()` clears what a test may want cleared.
 */
export class MockServerState {
  readonly settings: ResolvedOptions;
  readonly tokenizer: ServerTokenizer;
  readonly generator: ResponseGenerator;
  readonly rateLimiter: RateLimiter;
  /** The Message Batches of this server. */
  readonly batches: BatchRegistry;
  /** One entry per HTTP request, oldest first; the same array for the server's life. */
  readonly log: RequestLogEntry[] = [];
  /** One controller per open response, aborted when it closes or the server does. */
  readonly openResponses = new Set<AbortController>();
  /** Replaced (not cleared) by `reset()`, so a copy taken before stays as it was. */
  stats: MockServerStats = emptyStats();
  faultPlan: FaultPlan;
  /** Set by a `spend_limit` fault: every later messages request gets the same 429. */
  spendLimitReached = false;
  #requestCount = 0;
  #messageCount = 0;

  constructor(settings: ResolvedOptions) {
    this.settings = settings;
    this.tokenizer = createServerTokenizer(settings.tokenizer);
    this.generator = new ResponseGenerator({ seed: settings.seed, outputTokens: settings.outputTokens });
    this.rateLimiter = new RateLimiter(settings.clock, (modelClass) => ({
      ...settings.rateLimits,
      ...settings.rateLimitsByModelClass[modelClass],
    }));
    this.faultPlan = settings.faults;
    this.batches = new BatchRegistry(settings.clock, settings.seed, settings.batches, {
      seed: settings.seed,
      generator: this.generator,
      tokenizer: this.tokenizer,
      faults: () => settings.batches.faults,
      resultPaddingBytes: settings.batches.resultPaddingBytes,
    });
  }

  get clock(): Clock {
    return this.settings.clock;
  }

  get seed(): number {
    return this.settings.seed;
  }

  /** Counts a new HTTP request and logs it, with its deterministic `request-id`. */
  openEntry(method: string, path: string): RequestLogEntry {
    this.#requestCount += 1;
    this.stats.requests += 1;
    const entry: RequestLogEntry = {
      index: this.#requestCount,
      requestId: `req_011C${randomId(randomFor(this.seed, 'request-id', String(this.#requestCount)), 20)}`,
      method,
      path,
      stream: false,
      status: 0,
      eventsSent: 0,
      pingsSent: 0,
      inputTokens: 0,
      outputTokens: 0,
      continuation: 'none',
      receivedAt: this.clock.now(),
    };
    this.log.push(entry);
    return entry;
  }

  /** Counts a `POST /v1/messages` request and returns its 1-based index (what faults are keyed by). */
  nextMessageIndex(): number {
    this.#messageCount += 1;
    this.stats.messages += 1;
    return this.#messageCount;
  }

  /** Records the HTTP status sent for `entry` (0 when the socket is destroyed before headers). */
  recordStatus(entry: RequestLogEntry, status: number): void {
    entry.status = status;
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
  }

  /** Replaces the fault plan and lifts a reached spend limit. */
  setFaults(plan: FaultPlan | undefined): void {
    this.faultPlan = plan === undefined ? {} : parseFaultPlan('plan', plan);
    this.spendLimitReached = false;
  }

  /** Clears the log, stats, counters, spend limit, rate-limit buckets and batches (not the fault plan). */
  reset(): void {
    this.log.length = 0;
    this.stats = emptyStats();
    this.#requestCount = 0;
    this.#messageCount = 0;
    this.spendLimitReached = false;
    this.rateLimiter.reset();
    this.batches.reset();
  }
}
