import { expect, it } from 'vitest';
import type { RateLimitStore, StoreBucketShape, StoreScope } from '../store.js';
import type { StoreContractSubject } from '../store-contract.js';

/** The tests of `runStoreContract`, by group. */

/** What every test of the suite works on, set afresh before each. */
export interface ContractTest {
  subject: StoreContractSubject;
  store: RateLimitStore;
  scope: StoreScope;
}

// A refill so slow that the milliseconds a test takes add nothing measurable to a level.
export const slow = (bucket: StoreBucketShape['bucket'], capacity: number): StoreBucketShape => ({
  bucket,
  capacity,
  refillPerSecond: capacity / 3_600_000,
});

const expectLevel = (actual: number | undefined, expected: number) => expect(actual).toBeCloseTo(expected, 3);

/** Take: all or nothing, waits, oversize, races. */
export function takeContract(t: ContractTest): void {
  it('reports a bucket it has never seen as full', async () => {
    const { store, scope } = t;
    const result = await store.peek({ scope, buckets: [slow('requests', 50), slow('input_tokens', 1000)] });
    expect(result.levels).toEqual({ requests: 50, input_tokens: 1000 });
    expect(result.throttledUntilMs).toBe(0);
  });

  it('takes from every bucket at once and reports the levels left', async () => {
    const { store, scope } = t;
    const result = await store.take({
      scope,
      buckets: [
        { ...slow('requests', 50), amount: 1 },
        { ...slow('input_tokens', 1000), amount: 300 },
        { ...slow('output_tokens', 400), amount: 100 },
      ],
    });
    expect(result.admitted).toBe(true);
    expectLevel(result.levels.requests, 49);
    expectLevel(result.levels.input_tokens, 700);
    expectLevel(result.levels.output_tokens, 300);
  });

  it('takes nothing when one bucket holds too little (all or nothing)', async () => {
    const { store, scope } = t;
    const buckets = [slow('requests', 50), slow('input_tokens', 1000)] as const;
    const request = {
      scope,
      buckets: [
        { ...buckets[0], amount: 1 },
        { ...buckets[1], amount: 600 },
      ],
    };
    expect((await store.take(request)).admitted).toBe(true);
    expect((await store.take(request)).admitted).toBe(false);
    const after = await store.peek({ scope, buckets: [...buckets] });
    expectLevel(after.levels.requests, 49);
    expectLevel(after.levels.input_tokens, 400);
  });

  it('names the bucket with the longest wait and the exact wait for its shortfall', async () => {
    const { store, scope } = t;
    const requests = { bucket: 'requests', capacity: 10, refillPerSecond: 10 / 60 } as const;
    const output = { bucket: 'output_tokens', capacity: 600, refillPerSecond: 10 } as const;
    await store.take({
      scope,
      buckets: [
        { ...requests, amount: 10 },
        { ...output, amount: 600 },
      ],
    });
    const refused = await store.take({
      scope,
      buckets: [
        { ...requests, amount: 1 },
        { ...output, amount: 50 },
      ],
    });
    if (refused.admitted) throw new Error('expected the take to be refused');
    expect(refused.reason).toBe('wait');
    const requestsWaitMs = Math.ceil(((1 - refused.levels.requests!) * 1000) / requests.refillPerSecond);
    const outputWaitMs = Math.ceil(((50 - refused.levels.output_tokens!) * 1000) / output.refillPerSecond);
    expect(refused.bucket).toBe(requestsWaitMs >= outputWaitMs ? 'requests' : 'output_tokens');
    expect(refused.waitMs).toBeGreaterThanOrEqual(Math.max(requestsWaitMs, outputWaitMs) - 1);
    expect(refused.waitMs).toBeLessThanOrEqual(Math.max(requestsWaitMs, outputWaitMs) + 1);
  });

  it('refuses an amount larger than the capacity as oversize, with an infinite wait', async () => {
    const { store, scope } = t;
    const result = await store.take({
      scope,
      buckets: [
        { ...slow('requests', 50), amount: 1 },
        { ...slow('input_tokens', 1000), amount: 1001 },
      ],
    });
    if (result.admitted) throw new Error('expected the take to be refused');
    expect(result.reason).toBe('oversize');
    expect(result.bucket).toBe('input_tokens');
    expect(result.waitMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('admits exactly what fits when many takes race', async () => {
    const { store, scope } = t;
    const shape = slow('requests', 20);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => store.take({ scope, buckets: [{ ...shape, amount: 1 }] })),
    );
    expect(results.filter((result) => result.admitted)).toHaveLength(20);
  });
}

/** Adjust and sync: refunds, debts, and levels from the server. */
export function adjustAndSyncContract(t: ContractTest): void {
  it('refunds up to the capacity and charges extra below zero', async () => {
    const { store, scope } = t;
    const shape = slow('output_tokens', 1000);
    await store.take({ scope, buckets: [{ ...shape, amount: 800 }] });
    const refunded = await store.adjust({ scope, buckets: [{ ...shape, amount: 5000 }] });
    expectLevel(refunded.levels.output_tokens, 1000);
    const charged = await store.adjust({ scope, buckets: [{ ...shape, amount: -1500 }] });
    expectLevel(charged.levels.output_tokens, -500);
    const refused = await store.take({ scope, buckets: [{ ...shape, amount: 1 }] });
    expect(refused.admitted).toBe(false);
  });

  it('lowers a level to what the server says remains, minus what is pending', async () => {
    const { store, scope } = t;
    const shape = slow('input_tokens', 1000);
    const result = await store.sync({ scope, buckets: [{ ...shape, remaining: 600, pendingAmount: 100 }] });
    expectLevel(result.levels.input_tokens, 500);
  });

  it('never raises a level from the server unless asked to', async () => {
    const { store, scope } = t;
    const shape = slow('input_tokens', 1000);
    await store.take({ scope, buckets: [{ ...shape, amount: 900 }] });
    const kept = await store.sync({ scope, buckets: [{ ...shape, remaining: 800 }] });
    expectLevel(kept.levels.input_tokens, 100);
    const raised = await store.sync({
      scope,
      buckets: [{ ...shape, remaining: 800, pendingAmount: 50 }],
      raise: true,
    });
    expectLevel(raised.levels.input_tokens, 750);
  });

  it('keeps a synced level between zero and the capacity', async () => {
    const { store, scope } = t;
    const shape = slow('output_tokens', 1000);
    const low = await store.sync({ scope, buckets: [{ ...shape, remaining: 10, pendingAmount: 500 }] });
    expectLevel(low.levels.output_tokens, 0);
    const high = await store.sync({ scope, buckets: [{ ...shape, remaining: 5000 }], raise: true });
    expectLevel(high.levels.output_tokens, 1000);
  });

  it('clamps a level to a lowered capacity', async () => {
    const { store, scope } = t;
    await store.take({ scope, buckets: [{ ...slow('input_tokens', 1000), amount: 100 }] });
    const result = await store.peek({ scope, buckets: [slow('input_tokens', 500)] });
    expectLevel(result.levels.input_tokens, 500);
  });
}

/** Throttle marks, and scopes kept apart. */
export function throttleAndScopeContract(t: ContractTest): void {
  it('refuses every take while throttled, with the wait until the mark', async () => {
    const { store, scope } = t;
    const throttle = await store.throttle({ scope, durationMs: 30_000 });
    expect(throttle.throttledUntilMs).toBe(throttle.nowMs + 30_000);
    const refused = await store.take({ scope, buckets: [{ ...slow('requests', 50), amount: 1 }] });
    if (refused.admitted) throw new Error('expected the take to be refused');
    expect(refused.reason).toBe('throttled');
    expect(refused.waitMs).toBe(throttle.throttledUntilMs - refused.nowMs);
    const level = await store.peek({ scope, buckets: [slow('requests', 50)] });
    expectLevel(level.levels.requests, 50);
  });

  it('never moves a throttle mark earlier', async () => {
    const { store, scope } = t;
    const long = await store.throttle({ scope, durationMs: 60_000 });
    const short = await store.throttle({ scope, durationMs: 1_000 });
    expect(short.throttledUntilMs).toBe(long.throttledUntilMs);
  });

  it('keeps namespaces and model classes apart', async () => {
    const { store, scope } = t;
    const shape = slow('requests', 5);
    await store.take({ scope, buckets: [{ ...shape, amount: 5 }] });
    await store.throttle({ scope, durationMs: 60_000 });
    const otherClass = await store.take({
      scope: { ...scope, modelClass: 'claude-opus-4' },
      buckets: [{ ...shape, amount: 5 }],
    });
    const otherNamespace = await store.take({
      scope: { ...scope, namespace: `${scope.namespace}-other` },
      buckets: [{ ...shape, amount: 5 }],
    });
    expect(otherClass.admitted).toBe(true);
    expect(otherNamespace.admitted).toBe(true);
  });
}

/** Time passing: refill, waits and throttles that end (skipped without `advanceTime`). */
export function refillContract(t: ContractTest): void {
  it('refills continuously at refillPerSecond, up to the capacity', async (context) => {
    const { store, scope, subject } = t;
    if (!subject.advanceTime) return context.skip();
    const shape = { bucket: 'requests', capacity: 60, refillPerSecond: 1 } as const;
    const taken = await store.take({ scope, buckets: [{ ...shape, amount: 60 }] });
    await subject.advanceTime(1_500);
    const later = await store.peek({ scope, buckets: [shape] });
    expect(later.nowMs - taken.nowMs).toBeGreaterThanOrEqual(1_500);
    expectLevel(later.levels.requests, Math.min(60, ((later.nowMs - taken.nowMs) / 1000) * 1));
    await subject.advanceTime(120_000);
    const full = await store.peek({ scope, buckets: [shape] });
    expectLevel(full.levels.requests, 60);
  });

  it('admits a refused take once its reported wait has passed', async (context) => {
    const { store, scope, subject } = t;
    if (!subject.advanceTime) return context.skip();
    const shape = { bucket: 'input_tokens', capacity: 100, refillPerSecond: 50 } as const;
    await store.take({ scope, buckets: [{ ...shape, amount: 100 }] });
    const refused = await store.take({ scope, buckets: [{ ...shape, amount: 40 }] });
    if (refused.admitted) throw new Error('expected the take to be refused');
    await subject.advanceTime(refused.waitMs);
    const admitted = await store.take({ scope, buckets: [{ ...shape, amount: 40 }] });
    expect(admitted.admitted).toBe(true);
  });

  it('lifts the throttle once its time has passed', async (context) => {
    const { store, scope, subject } = t;
    if (!subject.advanceTime) return context.skip();
    const shape = slow('requests', 50);
    await store.throttle({ scope, durationMs: 1_000 });
    await subject.advanceTime(1_000);
    const admitted = await store.take({ scope, buckets: [{ ...shape, amount: 1 }] });
    expect(admitted.admitted).toBe(true);
    expect(admitted.throttledUntilMs).toBe(0);
  });
}
