import { createBus } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createTestSdk } from '../test-support/otel-sdk.js';
import {
  emitAll,
  failedRequest,
  faultedRequest,
  model,
  successfulRequest,
} from '../test-support/scripted-requests.js';
import { BulwarkMetrics } from './metrics.js';
import { type RecordedEventName, Recorder } from './recorder.js';

function attach(captureContent: boolean) {
  const sdk = createTestSdk();
  const recorder = new Recorder({
    tracer: sdk.tracerProvider.getTracer('test'),
    metrics: new BulwarkMetrics(sdk.meterProvider.getMeter('test'), {}, () => undefined),
    staticAttributes: {},
    captureContent,
  });
  const bus = createBus();
  for (const name of Object.keys(recorder.handlers) as RecordedEventName[]) {
    bus.on(name, recorder.handlers[name] as never);
  }
  return { ...sdk, bus, recorder };
}

describe('the recorder', () => {
  it('forgets every request once it ends, whatever the outcome', () => {
    const { bus, recorder } = attach(false);
    for (let index = 0; index < 100; index += 1) {
      emitAll(bus, [
        ...faultedRequest(`a_${index}`),
        ...successfulRequest(`b_${index}`),
        ...failedRequest(`c_${index}`),
      ]);
    }
    expect(recorder.size).toBe(0);
  });

  it('keeps an ended request only until its answer is recorded', () => {
    const { bus, recorder } = attach(true);
    recorder.recordPrompt('req_1', { model, max_tokens: 10, messages: [{ role: 'user', content: 'Hi.' }] });
    expect(recorder.size).toBe(1);
    emitAll(bus, successfulRequest('req_1'));
    expect(recorder.size).toBe(1);
    recorder.recordAnswer('req_1', { content: [], stop_reason: 'end_turn' });
    expect(recorder.size).toBe(0);
  });
});
