import { createManualClock, type RequestTokenEstimate, type TokenEstimator, type Usage } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createStreamingClient } from './streaming-client.js';
import { createRecordingGate, type Settlement, settleWithClock, textOf } from './test-support/harness.js';
import { useMockServer, withoutTimers } from './test-support/mock-server.js';

const mock = useMockServer({ seed: 23, outputTokens: { min: 60, max: 120 } });

/** A token estimator with its own state and no bus: it records each estimate it made and each calibration. */
function createRecordingEstimator() {
  const estimates: RequestTokenEstimate[] = [];
  const calibrations: Array<{ estimate: RequestTokenEstimate; usage: Usage }> = [];
  const estimator: TokenEstimator = {
    async countTokens(text) {
      return Math.ceil(text.length / 4);
    },
    async estimateRequest() {
      const rawTokens = 100 + estimates.length;
      const estimate: RequestTokenEstimate = {
        rawTokens,
        inputTokens: rawTokens,
        calibrationRatio: 1,
        modelFamily: 'claude-haiku-4',
        exact: true,
        breakdown: [],
      };
      estimates.push(estimate);
      return estimate;
    },
    calibrate(estimate, usage) {
      calibrations.push({ estimate, usage });
    },
  };
  return { estimator, estimates, calibrations };
}

/** A client wired only to its handles: no bus is given, so it makes a private one nobody listens to. */
function setup() {
  const clock = createManualClock(0);
  const { gate, calls, reservations } = createRecordingGate();
  const recording = createRecordingEstimator();
  const client = createStreamingClient({
    client: mock.sdk,
    clock,
    admission: gate,
    estimator: recording.estimator,
    random: () => 0,
    ...withoutTimers,
  });
  return { client, clock, calls, reservations, ...recording };
}

const request = {
  model: 'claude-haiku-4-5',
  max_tokens: 8000,
  messages: [{ role: 'user' as const, content: 'Tell me a long story.' }],
};

describe('settling each attempt through the handles the client holds', () => {
  it('releases a retried attempt that never reached the model and calibrates the one that completed', async () => {
    mock.server.setFaults({
      schedule: { 1: { kind: 'status', status: 529, errorType: 'overloaded_error' } },
    });
    const run = setup();
    const message = await settleWithClock(run.client.createMessage(request), run.clock);
    expect(textOf(message)).toBe(mock.server.expectedText(request));

    expect(run.reservations.map((entry) => entry.settlements)).toEqual([
      [{ kind: 'release' }],
      [{ kind: 'reconcile', usage: expect.any(Object), partial: false }],
    ]);
    const completeUsage = (run.reservations[1]!.settlements[0] as { usage: Usage }).usage;
    expect(completeUsage.inputTokens).toBe(mock.server.requests[1]!.inputTokens);
    expect(completeUsage.outputTokens).toBe(mock.server.requests[1]!.outputTokens);
    expect(run.estimates).toHaveLength(2);
    expect(run.calibrations).toHaveLength(1);
    expect(run.calibrations[0]!.estimate).toBe(run.estimates[1]);
    expect(run.calibrations[0]!.usage).toEqual(completeUsage);
  });

  it('reconciles a broken stream as partial and its resumed attempt as complete, calibrating only the latter', async () => {
    mock.server.setFaults({ schedule: { 1: { kind: 'drop', afterEvents: 20 } } });
    const run = setup();
    const message = await settleWithClock(run.client.createMessage(request), run.clock);
    expect(textOf(message)).toBe(mock.server.expectedText(request));
    expect(mock.server.requests[1]?.continuation).toBe('prefill');

    const settlements = run.reservations.map((entry) => entry.settlements);
    expect(settlements).toHaveLength(2);
    expect(settlements.map((list) => list.length)).toEqual([1, 1]);
    const [broken, resumed] = settlements.map((list) => list[0]) as Array<Settlement & { kind: 'reconcile' }>;
    expect(broken).toMatchObject({ kind: 'reconcile', partial: true });
    expect(broken!.usage.inputTokens).toBe(mock.server.requests[0]!.inputTokens);
    expect(broken!.usage.outputTokens).toBeGreaterThan(0);
    expect(resumed).toMatchObject({ kind: 'reconcile', partial: false });
    expect(resumed!.usage.inputTokens).toBe(mock.server.requests[1]!.inputTokens);
    expect(resumed!.usage.outputTokens).toBe(mock.server.requests[1]!.outputTokens);

    expect(run.estimates).toHaveLength(2);
    expect(run.calibrations).toEqual([{ estimate: run.estimates[1], usage: resumed!.usage }]);
  });

  it('tells the gate of every response with the reservation of the attempt it answers', async () => {
    mock.server.setFaults({
      schedule: { 1: { kind: 'status', status: 529 }, 2: { kind: 'drop', afterEvents: 15 } },
    });
    const run = setup();
    await settleWithClock(run.client.createMessage(request), run.clock);
    const observed = run.calls.flatMap((call) => (call.kind === 'observe' ? [call.feedback] : []));
    expect(observed.map((feedback) => feedback.status)).toEqual([529, 200, 200]);
    expect(observed.map((feedback) => feedback.reservation)).toEqual(
      run.reservations.map((entry) => entry.reservation),
    );
  });
});
