import { type BucketLevels, costOfUsage, type ModelPrice, type Usage } from '@bulwark/core';
import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
  UpDownCounter,
} from '@opentelemetry/api';
import { bulwark, genAi, general, metricNames, operationName, providerName } from './names.js';

// The bucket boundaries the conventions advise for each histogram.
const tokenBoundaries = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
const secondsBoundaries = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

const bucketNames = [
  ['requests', 'requests'],
  ['inputTokens', 'input_tokens'],
  ['outputTokens', 'output_tokens'],
] as const;

/** Name, unit and description of each instrument (and the advised buckets of each histogram). */
const histograms = {
  tokenUsage: [metricNames.tokenUsage, '{token}', 'Number of input and output tokens used.', tokenBoundaries],
  operationDuration: [metricNames.operationDuration, 's', 'GenAI operation duration.', secondsBoundaries],
  timeToFirstChunk: [
    metricNames.timeToFirstChunk,
    's',
    'Time to receive the first chunk of a streaming response, from when its request was sent.',
    secondsBoundaries,
  ],
  timePerOutputChunk: [
    metricNames.timePerOutputChunk,
    's',
    'Mean time per streamed output token over one progress interval.',
    secondsBoundaries,
  ],
} as const;

const counters = {
  retries: [metricNames.retries, '{retry}', 'Retries and resumes scheduled, by reason.'],
  resumes: [metricNames.resumes, '{resume}', 'Broken streams continued, by strategy.'],
  stalls: [metricNames.stalls, '{stall}', 'Streams aborted for sending nothing.'],
  rateLimited: [metricNames.rateLimited, '{response}', '429 answers the rate limiter saw, by reason.'],
  cost: [metricNames.cost, 'USD', 'Cost of the tokens used, at list price.'],
} as const;

/**
 * The instruments: the GenAI conventions' client histograms and Bulwark's own counters and
 * gauges. Every point carries the caller's static attributes.
 */
export class BulwarkMetrics {
  private readonly histograms: Record<keyof typeof histograms, Histogram>;
  private readonly counters: Record<keyof typeof counters, Counter>;
  private readonly inFlight: UpDownCounter;
  private readonly bucketLevel: ObservableGauge;
  private readonly observeLevels: BatchObservableCallback = (result) => {
    for (const [modelClass, levels] of this.levels) {
      for (const [field, bucket] of bucketNames) {
        const level = levels[field];
        if (!level || !(level.capacity > 0) || !Number.isFinite(level.capacity)) continue;
        const share = Math.min(1, Math.max(0, level.available / level.capacity));
        result.observe(this.bucketLevel, share, {
          ...this.staticAttributes,
          [bulwark.modelClass]: modelClass,
          [bulwark.bucket]: bucket,
        });
      }
    }
  };
  /** The latest bucket levels of each model class, read when the gauges are collected. */
  private readonly levels = new Map<string, BucketLevels>();

  constructor(
    private readonly meter: Meter,
    private readonly staticAttributes: Attributes,
    private readonly pricesOf: (model: string) => ModelPrice | undefined,
  ) {
    const entries = <T extends object, R>(table: T, make: (definition: T[keyof T]) => R) =>
      Object.fromEntries(Object.entries(table).map(([key, definition]) => [key, make(definition)])) as Record<
        keyof T,
        R
      >;
    this.histograms = entries(histograms, ([name, unit, description, boundaries]) =>
      meter.createHistogram(name, {
        unit,
        description,
        advice: { explicitBucketBoundaries: [...boundaries] },
      }),
    );
    this.counters = entries(counters, ([name, unit, description]) =>
      meter.createCounter(name, { unit, description }),
    );
    this.inFlight = meter.createUpDownCounter(metricNames.inFlight, {
      unit: '{request}',
      description: 'Requests started and not yet ended.',
    });
    this.bucketLevel = meter.createObservableGauge(metricNames.bucketLevel, {
      unit: '1',
      description: "Capacity left in each model class's rate-limit bucket, as a share of the limit.",
    });
    meter.addBatchObservableCallback(this.observeLevels, [this.bucketLevel]);
  }

  /** Stops the gauges' callback. */
  close(): void {
    this.meter.removeBatchObservableCallback(this.observeLevels, [this.bucketLevel]);
  }

  private base(model: string, extra?: Attributes): Attributes {
    return {
      ...this.staticAttributes,
      [genAi.operationName]: operationName,
      [genAi.providerName]: providerName,
      [genAi.requestModel]: model,
      ...extra,
    };
  }

  /** A logical request ended: its duration and its tokens over every attempt. */
  recordOperation(
    model: string,
    durationSeconds: number,
    usage: Usage,
    { responseModel, errorType }: { responseModel?: string | undefined; errorType?: string | undefined },
  ): void {
    const attributes = this.base(
      model,
      responseModel === undefined ? {} : { [genAi.responseModel]: responseModel },
    );
    this.histograms.operationDuration.record(
      durationSeconds,
      errorType === undefined ? attributes : { ...attributes, [general.errorType]: errorType },
    );
    const input = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
    this.histograms.tokenUsage.record(input, { ...attributes, [genAi.tokenType]: 'input' });
    this.histograms.tokenUsage.record(usage.outputTokens, { ...attributes, [genAi.tokenType]: 'output' });
  }

  recordTimeToFirstChunk(model: string, seconds: number): void {
    this.histograms.timeToFirstChunk.record(seconds, this.base(model));
  }

  recordTimePerOutputChunk(model: string, seconds: number): void {
    this.histograms.timePerOutputChunk.record(seconds, this.base(model));
  }

  countRetry(model: string, reason: string): void {
    this.counters.retries.add(1, this.base(model, { [bulwark.retryReason]: reason }));
  }

  countResume(model: string, strategy: string): void {
    this.counters.resumes.add(1, this.base(model, { [bulwark.resumeStrategy]: strategy }));
  }

  countStall(model: string): void {
    this.counters.stalls.add(1, this.base(model));
  }

  countRateLimited(model: string, modelClass: string, reason: string): void {
    this.counters.rateLimited.add(
      1,
      this.base(model, { [bulwark.modelClass]: modelClass, [bulwark.throttleReason]: reason }),
    );
  }

  changeInFlight(model: string, delta: 1 | -1): void {
    this.inFlight.add(delta, this.base(model));
  }

  /** The cost of one attempt's usage, when the model has a price. */
  countCost(model: string, usage: Usage): void {
    const price = this.pricesOf(model);
    if (!price) return;
    const cost = costOfUsage(usage, price);
    if (cost > 0) this.counters.cost.add(cost, this.base(model));
  }

  updateLevels(modelClass: string, levels: BucketLevels): void {
    const known = this.levels.get(modelClass);
    this.levels.set(modelClass, known ? { ...known, ...levels } : levels);
  }
}
