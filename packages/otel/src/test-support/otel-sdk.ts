import { createBus } from '@bulwark/core';
import { type Attributes, SpanKind } from '@opentelemetry/api';
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { instrumentBulwark } from '../instrument-bulwark.js';
import type { InstrumentBulwarkOptions } from '../options.js';

/** A metric reader that collects only when asked. */
class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface MetricPoint {
  attributes: Attributes;
  /** A counter's or gauge's value, or a histogram's sum. */
  value: number;
  /** A histogram's count of recordings (1 for other instruments). */
  count: number;
  unit: string;
}

/** The real OpenTelemetry SDK, with spans kept in memory and metrics collected on demand. */
export function createTestSdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });

  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();

  /** Every data point of every metric, by metric name. */
  const collect = async (): Promise<Map<string, MetricPoint[]>> => {
    const { resourceMetrics } = await reader.collect();
    const byName = new Map<string, MetricPoint[]>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const points = (metric.dataPoints as DataPoint<number | Histogram>[]).map((point) => {
          const value = point.value;
          return typeof value === 'number'
            ? { attributes: point.attributes, value, count: 1, unit: metric.descriptor.unit }
            : {
                attributes: point.attributes,
                value: value.sum ?? 0,
                count: value.count,
                unit: metric.descriptor.unit,
              };
        });
        byName.set(metric.descriptor.name, points);
      }
    }
    return byName;
  };

  return { exporter, tracerProvider, meterProvider, reader, spans, collect };
}

/** A bus instrumented with the test SDK (and `options`); `requestSpans()` are the CLIENT spans. */
export function instrumentedBus(options: InstrumentBulwarkOptions = {}) {
  const sdk = createTestSdk();
  const bus = createBus();
  const instrumentation = instrumentBulwark(bus, {
    tracerProvider: sdk.tracerProvider,
    meterProvider: sdk.meterProvider,
    ...options,
  });
  const requestSpans = () => sdk.spans().filter((span) => span.kind === SpanKind.CLIENT);
  return { ...sdk, bus, instrumentation, requestSpans };
}

/** The span's parent span id, or `undefined` for a root span. */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** The children of `parent` among `spans`, in start order. */
export function childrenOf(
  spans: readonly ReadableSpan[],
  parent: ReadableSpan,
  name?: string,
): ReadableSpan[] {
  return spans
    .filter(
      (span) => parentOf(span) === parent.spanContext().spanId && (name === undefined || span.name === name),
    )
    .sort((left, right) => hrToMs(left.startTime) - hrToMs(right.startTime));
}

export function hrToMs([seconds, nanoseconds]: readonly [number, number]): number {
  return seconds * 1000 + nanoseconds / 1e6;
}

/** The one point of `points` whose attributes include `match`. */
export function pointWith(
  points: readonly MetricPoint[] | undefined,
  match: Attributes,
): MetricPoint | undefined {
  return points?.find((point) =>
    Object.entries(match).every(([key, value]) => point.attributes[key] === value),
  );
}
