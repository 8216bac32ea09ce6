import type {
  AlertRaisedEvent,
  AlertResolvedEvent,
  BucketLevels,
  BulwarkEventListeners,
  Clock,
  ModelPrice,
  Usage,
} from '@bulwark/core';
import { type RequestEntry, RequestTable } from './request-table.js';
import { TimeSeries } from './time-series.js';
import { Totals } from './totals.js';

/** A request that failed for good, as the page lists it. */
export interface FailureRecord {
  at: number;
  requestId: string;
  model: string;
  attempt: number;
  name: string;
  code: string | null;
  status: number | null;
  type: string | null;
  giveUpReason: string | null;
  message: string;
}

/** An alert as the page lists it: active ones have no `resolvedAt`. */
export type AlertRecord = AlertRaisedEvent & { resolvedAt?: number };

/** What the metrics hear from the state, beyond the bus. */
export interface StateObserver {
  requestFinished(entry: RequestEntry, durationMs: number, errorType: string | undefined): void;
  attemptUsage(model: string, usage: Usage, costUsd: number | undefined): void;
}

const bucketFields = [
  ['requests', 'requests'],
  ['inputTokens', 'input tokens'],
  ['outputTokens', 'output tokens'],
] as const;

const maxFailures = 50;
const maxAlertHistory = 100;
const maxMessageLength = 200;

/**
 * Everything the page shows, kept from bus events alone, in bounded memory: the requests in
 * flight, per-model totals with costs, 15 minutes of per-second series, alerts with their
 * history and the last failures.
 */
export class DashboardState {
  readonly requests: RequestTable;
  readonly totals: Totals;
  readonly series = new TimeSeries(900);
  readonly failures: FailureRecord[] = [];
  readonly activeAlerts = new Map<string, AlertRecord>();
  readonly alertHistory: AlertRecord[] = [];
  /** The latest levels of each model class, for the charts and `/metrics`. */
  readonly levels = new Map<string, BucketLevels>();
  /** What changed since the last frame, besides requests and totals. */
  newFailures: FailureRecord[] = [];
  alertsChanged = false;
  observer: StateObserver | undefined;

  constructor(
    private readonly clock: Clock,
    priceOf: (model: string) => ModelPrice | undefined,
    { maxRequests = 20_000, staleAfterMs = 30 * 60_000 } = {},
  ) {
    this.requests = new RequestTable(maxRequests, staleAfterMs);
    this.totals = new Totals(priceOf);
  }

  /** Records levels reported by the limiter or by the `bucketLevels` handle. */
  updateLevels(modelClass: string, levels: BucketLevels): void {
    const merged = { ...this.levels.get(modelClass), ...levels };
    this.levels.set(modelClass, merged);
    const nowMs = this.clock.now();
    for (const [field, label] of bucketFields) {
      const level = merged[field];
      if (!level || !(level.capacity > 0) || !Number.isFinite(level.capacity)) continue;
      this.series.level(nowMs, `${modelClass} ${label}`, 1 - level.available / level.capacity);
    }
  }

  private chartOutput(entry: RequestEntry, outputTokens: number): void {
    const delta = outputTokens - entry.chartedOutputTokens;
    if (delta > 0) {
      this.series.count(this.clock.now(), 'outputTokens', delta);
      entry.chartedOutputTokens = outputTokens;
    }
  }

  private finish(requestId: string, errorType: string | undefined): RequestEntry | undefined {
    const entry = this.requests.remove(requestId);
    if (entry) this.observer?.requestFinished(entry, this.clock.now() - entry.startedAt, errorType);
    return entry;
  }

  private recordAlert(alert: AlertRecord, resolved: boolean): void {
    if (resolved) this.activeAlerts.delete(alert.alertId);
    else this.activeAlerts.set(alert.alertId, alert);
    this.alertHistory.push(alert);
    if (this.alertHistory.length > maxAlertHistory) this.alertHistory.shift();
    this.alertsChanged = true;
  }

  private recordFailure(failure: FailureRecord): void {
    this.failures.push(failure);
    if (this.failures.length > maxFailures) this.failures.shift();
    this.newFailures.push(failure);
    if (this.newFailures.length > maxFailures) this.newFailures.shift();
  }

  /** The bus listeners that keep this state. */
  listeners(): Partial<BulwarkEventListeners> {
    const now = () => this.clock.now();
    const { requests, totals, series } = this;
    return {
      'ratelimit:wait': ({ requestId, model, bucket }) => {
        if (requestId === undefined) return;
        const entry = requests.touch(requestId, model, now());
        entry.state = 'waiting';
        entry.bucket = bucket;
      },
      'ratelimit:admit': ({ modelClass, levels }) => {
        series.count(now(), 'admitted');
        this.updateLevels(modelClass, levels);
      },
      'ratelimit:update': ({ modelClass, levels }) => this.updateLevels(modelClass, levels),
      'request:start': ({ requestId, model, attempt, maxTokens, resuming }) => {
        const entry = requests.touch(requestId, model, now());
        Object.assign(entry, {
          attempt,
          maxTokens,
          state: resuming ? 'resuming' : 'sending',
          retryAt: null,
          bucket: null,
        });
        series.count(now(), 'started');
        totals.of(model).attempts += 1;
      },
      'stream:first_token': ({ requestId, model }) => {
        const entry = requests.touch(requestId, model, now());
        if (entry.state === 'sending' || entry.state === 'resuming') entry.state = 'streaming';
      },
      'stream:progress': (event) => {
        const entry = requests.touch(event.requestId, event.model, now());
        const grew = event.outputTokens > entry.outputTokens;
        Object.assign(entry, {
          outputTokens: event.outputTokens,
          percent: event.percentOfMaxTokens,
          tokensPerSecond: event.tokensPerSecond,
          etaMs: event.etaMs,
        });
        if (grew && (entry.state === 'sending' || entry.state === 'resuming')) entry.state = 'streaming';
        this.chartOutput(entry, event.outputTokens);
      },
      'stream:stall': ({ requestId, model }) => {
        requests.touch(requestId, model, now()).state = 'stalled';
        totals.of(model).stalls += 1;
      },
      'retry:scheduled': ({ requestId, model, delayMs }) => {
        const entry = requests.touch(requestId, model, now());
        // A stalled stream stays shown as stalled while it waits to be resumed.
        if (entry.state !== 'stalled') entry.state = 'retrying';
        entry.retryAt = now() + delayMs;
        totals.of(model).retries += 1;
        series.count(now(), 'retries');
      },
      'stream:resume': ({ requestId, model, keptOutputTokens }) => {
        requests.touch(requestId, model, now()).state = 'resuming';
        const entry = totals.of(model);
        entry.resumes += 1;
        entry.keptTokens += keptOutputTokens;
        series.count(now(), 'resumes');
      },
      usage: ({ requestId, model, usage }) => {
        requests.addUsage(requestId, usage);
        const costUsd = totals.addUsage(model, usage);
        this.observer?.attemptUsage(model, usage, costUsd);
      },
      'request:end': ({ requestId, model, usage }) => {
        const entry = requests.get(requestId);
        if (entry) this.chartOutput(entry, usage.outputTokens);
        if (entry) entry.usage = usage;
        this.finish(requestId, undefined);
        totals.of(model).completed += 1;
      },
      'request:error': ({ requestId, model, attempt, error, willRetry, giveUpReason }) => {
        const modelTotals = totals.of(model);
        if (error.status === 429) {
          modelTotals.rateLimited += 1;
          series.count(now(), 'rateLimited');
        }
        if (willRetry) {
          const entry = requests.touch(requestId, model, now());
          if (entry.state !== 'stalled') entry.state = 'retrying';
          return;
        }
        modelTotals.failed += 1;
        this.finish(requestId, error.type ?? error.code ?? error.name);
        this.recordFailure({
          at: now(),
          requestId,
          model,
          attempt,
          name: error.name,
          code: error.code ?? null,
          status: error.status ?? null,
          type: error.type ?? null,
          giveUpReason: giveUpReason ?? null,
          message: error.message.slice(0, maxMessageLength),
        });
      },
      'alert:raised': (alert) => this.recordAlert({ ...alert }, false),
      'alert:resolved': (alert: AlertResolvedEvent) => {
        const { raisedAt, ...rest } = alert;
        this.recordAlert({ ...rest, at: raisedAt, resolvedAt: alert.at }, true);
      },
    };
  }
}
