import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type BulwarkEventName, type Bus, bulwarkEventNames, createBus } from '@bulwark/core';
import { instrumentBulwark } from '@bulwark/otel';
import { createStreamingClient } from '@bulwark/stream';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type Benchmark, formatNumber, formatRatio, median } from '../harness.js';
import { cpuMs, recordStream, replayingClient } from '../sse-replay.js';

const model = 'claude-haiku-4-5';

/** An exporter that drops what it is given: the SDK's pipeline runs, nothing is kept or sent. */
const discardingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};

class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The real SDK, as an application configures it: batched spans, a metric reader. */
function realSdk(extraProcessors: SpanProcessor[] = []) {
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(discardingExporter), ...extraProcessors],
  });
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return { tracerProvider, meterProvider, reader };
}

function countEvents(bus: Bus): { count: number } {
  const counter = { count: 0 };
  for (const name of bulwarkEventNames as readonly BulwarkEventName[])
    bus.on(name, () => (counter.count += 1));
  return counter;
}

async function measureCpu(quick: boolean) {
  const deltas = 9995; // + message_start, content_block_start/stop, message_delta, message_stop = 10,000 events
  const body = await recordStream(model, deltas);
  const params = {
    model,
    max_tokens: deltas + 100,
    messages: [{ role: 'user' as const, content: 'Benchmark.' }],
  };
  const offBus = createBus();
  const onBus = createBus();
  const sdk = realSdk();
  instrumentBulwark(onBus, { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider });
  const clientOn = (bus: Bus) =>
    createStreamingClient({
      client: replayingClient(body),
      bus,
      stallTimeoutMs: 60_000,
      progressIntervalMs: 1000,
    });
  const peers: Record<string, () => Promise<unknown>> = {
    'instrumentation off': () =>
      clientOn(offBus).createMessage({ ...params, stream: true }, { onText: () => {} }),
    'tracing + metrics on (real SDK, batched, discarding exporter)': () =>
      clientOn(onBus).createMessage({ ...params, stream: true }, { onText: () => {} }),
  };
  // How many bus events one stream emits, counted on a bus of its own.
  const countingBus = createBus();
  const busEvents = countEvents(countingBus);
  await clientOn(countingBus).createMessage({ ...params, stream: true });
  const names = Object.keys(peers);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  const rounds = quick ? 6 : 60;
  for (let round = -2; round < rounds; round += 1) {
    // Rotating the order each round keeps warm-up and GC drift from favouring one side.
    for (let index = 0; index < names.length; index += 1) {
      const name = names[(index + round + names.length) % names.length]!;
      const used = await cpuMs(peers[name]!);
      if (round >= 0) samples.get(name)!.push(used);
    }
    if (round % 10 === 0) await sdk.reader.collect();
  }
  await sdk.tracerProvider.shutdown();
  const baseline = median(samples.get(names[0]!)!);
  const ratio = median(samples.get(names[1]!)!) / baseline;
  return {
    rounds,
    eventsPerStream: busEvents.count,
    rows: names.map((name) => {
      const value = median(samples.get(name)!);
      return [name, formatNumber(value, 2), formatRatio(value, baseline)];
    }),
    ratio,
  };
}

/** `gc()` without `--expose-gc` on the command line. */
function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function measureRetention(quick: boolean) {
  const gc = garbageCollector();
  const live = { started: 0, ended: 0, collected: 0 };
  const registry = new FinalizationRegistry<void>(() => {
    live.collected += 1;
  });
  // Watches every span: a span the instrumentation (or anything) still holds is never collected.
  const watcher: SpanProcessor = {
    onStart: (span) => {
      live.started += 1;
      registry.register(span, undefined);
    },
    onEnd: (_span: ReadableSpan) => {
      live.ended += 1;
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const sdk = realSdk([watcher]);
  const bus = createBus();
  const instrumentation = instrumentBulwark(bus, {
    tracerProvider: sdk.tracerProvider,
    meterProvider: sdk.meterProvider,
  });
  const client = createStreamingClient({
    client: replayingClient(await recordStream(model, 200)),
    bus,
    stallTimeoutMs: 60_000,
    progressIntervalMs: 1000,
  });
  const settle = async () => {
    await sdk.tracerProvider.forceFlush();
    for (let pass = 0; pass < 5; pass += 1) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await settle();
  const heapBefore = process.memoryUsage().heapUsed;
  const rows: string[][] = [];
  const rounds = quick ? 2 : 5;
  for (let round = 1; round <= rounds; round += 1) {
    const params = {
      model,
      max_tokens: 300,
      messages: [{ role: 'user' as const, content: `Round ${round}.` }],
    };
    await Promise.all(Array.from({ length: 1000 }, () => client.createMessage({ ...params, stream: true })));
    await settle();
    const retained = live.started - live.collected;
    rows.push([
      String(round),
      formatNumber(live.started),
      formatNumber(live.ended),
      formatNumber(retained),
      formatNumber((process.memoryUsage().heapUsed - heapBefore) / 1024 ** 2, 1),
    ]);
  }
  instrumentation.detach();
  await sdk.tracerProvider.shutdown();
  return { rows, retained: live.started - live.collected, unended: live.started - live.ended };
}

const benchmark: Benchmark = {
  id: 'otel',
  async run({ quick }) {
    const cpu = await measureCpu(quick);
    const retention = await measureRetention(quick);
    return {
      title: 'OpenTelemetry instrumentation (@bulwark/otel)',
      method: [
        `CPU: the stream benchmark's recorded ${formatNumber(10_000)}-event SSE response, replayed from memory through the`,
        '`@bulwark/stream` client, with and without `instrumentBulwark` on its bus (the real SDK: `BasicTracerProvider`',
        'with a `BatchSpanProcessor` whose exporter discards, a `MeterProvider` with a reader collected every 10 rounds);',
        `process CPU time per full read, median of ${cpu.rounds} rounds in rotating order. The stream emits about`,
        `${formatNumber(cpu.eventsPerStream, 0)} bus events per request (telemetry reads the bus, not the chunks). Retention:`,
        'rounds of 1,000 concurrent instrumented requests (200-token replayed streams); every span registered in a',
        '`FinalizationRegistry` by a span processor; after each round the exporter is flushed and `gc()` runs; a span',
        'still alive is one something retains.',
      ].join(' '),
      peers: ['@opentelemetry/sdk-trace-base 2.12.1, @opentelemetry/sdk-metrics 3.1.1'],
      tables: [
        { headers: ['instrumentation', 'CPU ms per stream', 'vs off'], rows: cpu.rows },
        {
          headers: [
            'round of 1,000',
            'spans started (total)',
            'spans ended (total)',
            'spans alive after GC',
            'heap growth MB',
          ],
          rows: retention.rows,
        },
      ],
      notes: [
        `CPU goal ≤ 1.03× off: ${cpu.ratio <= 1.03 ? 'met' : 'missed'} (${formatRatio(cpu.ratio, 1)}).`,
        `Retention goal, no spans kept after their requests end: ${retention.retained === 0 && retention.unended === 0 ? 'met' : 'missed'} (${formatNumber(retention.retained)} alive, ${formatNumber(retention.unended)} never ended).`,
      ],
    };
  },
};

export default benchmark;
