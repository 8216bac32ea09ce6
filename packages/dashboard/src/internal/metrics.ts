import type { BulwarkEventListeners, Usage } from '@bulwark/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DashboardState, StateObserver } from './dashboard-state.js';
import type { RequestEntry } from './request-table.js';

// The bucket boundaries the GenAI conventions advise, as `@bulwark/otel` uses them.
const tokenBuckets = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
const secondsBuckets = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

// Every point carries these, as OTel's `gen_ai.operation.name` and `gen_ai.provider.name` would.
const base = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'anthropic' } as const;
const modelLabels = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'] as const;

const bucketFields = [
  ['requests', 'requests'],
  ['inputTokens', 'input_tokens'],
  ['outputTokens', 'output_tokens'],
] as const;

/**
 * `GET /metrics`: the figures `@bulwark/otel` exports, named as an OpenTelemetry → Prometheus
 * exporter names them (dots become underscores, seconds get `_seconds`, counters `_total`, unit
 * 1 `_ratio`), in a registry of their own (never prom-client's global one).
 */
export class DashboardMetrics implements StateObserver {
  readonly registry = new Registry();
  private readonly tokenUsage: Histogram<string>;
  private readonly duration: Histogram<string>;
  private readonly timeToFirstChunk: Histogram<string>;
  private readonly retries: Counter<string>;
  private readonly resumes: Counter<string>;
  private readonly stalls: Counter<string>;
  private readonly rateLimited: Counter<string>;
  private readonly cost: Counter<string>;

  constructor(state: DashboardState) {
    const registers = [this.registry];
    this.tokenUsage = new Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'Number of input and output tokens used, per request.',
      labelNames: [...modelLabels, 'gen_ai_token_type'],
      buckets: tokenBuckets,
      registers,
    });
    this.duration = new Histogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'GenAI operation duration, over every attempt of a request.',
      labelNames: [...modelLabels, 'error_type'],
      buckets: secondsBuckets,
      registers,
    });
    this.timeToFirstChunk = new Histogram({
      name: 'gen_ai_client_operation_time_to_first_chunk_seconds',
      help: 'Time to receive the first chunk of a streaming response, from when its request was sent.',
      labelNames: modelLabels,
      buckets: secondsBuckets,
      registers,
    });
    const counter = (name: string, help: string, labelNames: readonly string[] = []) =>
      new Counter({ name, help, labelNames: [...modelLabels, ...labelNames], registers });
    this.retries = counter('bulwark_retries_total', 'Retries and resumes scheduled, by reason.', [
      'bulwark_retry_reason',
    ]);
    this.resumes = counter('bulwark_resumes_total', 'Broken streams continued, by strategy.', [
      'bulwark_resume_strategy',
    ]);
    this.stalls = counter('bulwark_stalls_total', 'Streams aborted for sending nothing.');
    this.rateLimited = counter('bulwark_rate_limited_total', '429 answers the rate limiter saw, by reason.', [
      'bulwark_ratelimit_model_class',
      'bulwark_throttle_reason',
    ]);
    this.cost = counter('bulwark_cost_usd_total', 'Cost of the tokens used, at list price, in US dollars.');
    new Gauge({
      name: 'bulwark_requests_in_flight',
      help: 'Requests started and not yet ended.',
      labelNames: modelLabels,
      registers,
      collect() {
        this.reset();
        for (const model of state.requests.models()) {
          this.set({ ...base, gen_ai_request_model: model }, state.requests.countBy(model));
        }
      },
    });
    new Gauge({
      name: 'bulwark_ratelimit_bucket_level_ratio',
      help: "Capacity left in each model class's rate-limit bucket, as a share of the limit.",
      labelNames: ['bulwark_ratelimit_model_class', 'bulwark_ratelimit_bucket'],
      registers,
      collect() {
        this.reset();
        for (const [modelClass, levels] of state.levels) {
          for (const [field, bucket] of bucketFields) {
            const level = levels[field];
            if (!level || !(level.capacity > 0) || !Number.isFinite(level.capacity)) continue;
            const share = Math.min(1, Math.max(0, level.available / level.capacity));
            this.set({ bulwark_ratelimit_model_class: modelClass, bulwark_ratelimit_bucket: bucket }, share);
          }
        }
      },
    });
  }

  /** The listeners for figures the state does not keep. */
  listeners(): Partial<BulwarkEventListeners> {
    const labels = (model: string) => ({ ...base, gen_ai_request_model: model });
    return {
      'stream:first_token': ({ model, timeToFirstTokenMs }) =>
        this.timeToFirstChunk.observe(labels(model), timeToFirstTokenMs / 1000),
      'retry:scheduled': ({ model, reason }) =>
        this.retries.inc({ ...labels(model), bulwark_retry_reason: reason }),
      'stream:resume': ({ model, strategy }) =>
        this.resumes.inc({ ...labels(model), bulwark_resume_strategy: strategy }),
      'stream:stall': ({ model }) => this.stalls.inc(labels(model)),
      'ratelimit:throttled': ({ model, modelClass, reason }) =>
        this.rateLimited.inc({
          ...labels(model),
          bulwark_ratelimit_model_class: modelClass,
          bulwark_throttle_reason: reason,
        }),
    };
  }

  requestFinished(entry: RequestEntry, durationMs: number, errorType: string | undefined): void {
    const labels = { ...base, gen_ai_request_model: entry.model };
    this.duration.observe(
      errorType === undefined ? labels : { ...labels, error_type: errorType },
      durationMs / 1000,
    );
    const { usage } = entry;
    const input = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
    this.tokenUsage.observe({ ...labels, gen_ai_token_type: 'input' }, input);
    this.tokenUsage.observe({ ...labels, gen_ai_token_type: 'output' }, usage.outputTokens);
  }

  attemptUsage(model: string, _usage: Usage, costUsd: number | undefined): void {
    if (costUsd !== undefined && costUsd > 0)
      this.cost.inc({ ...base, gen_ai_request_model: model }, costUsd);
  }
}
