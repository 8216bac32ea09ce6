import { type Clock, createBus, createManualClock, type Reservation } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { createRateLimiter } from './rate-limiter.js';
import type { RateLimitStore } from './store.js';
import { sonnet, usage } from './test-support/limiter-harness.js';

type Operation =
  | { kind: 'acquire'; inputTokens: number; maxOutputTokens: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'settle'; pick: number; inputShare: number; outputShare: number; release: boolean };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constant('acquire' as const),
    inputTokens: fc.integer({ min: 0, max: 3_000 }),
    maxOutputTokens: fc.integer({ min: 0, max: 2_000 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({
    kind: fc.constant('settle' as const),
    pick: fc.nat(),
    inputShare: fc.double({ min: 0, max: 2, noNaN: true }),
    outputShare: fc.double({ min: 0, max: 2, noNaN: true }),
    release: fc.boolean(),
  }),
);

type Amounts = { requests: number; input: number; output: number };

/** One change the limiter made to its buckets: a take on admission, or a settlement's difference. */
interface BucketEvent {
  atMs: number;
  admission: boolean;
  /** Units taken (a settlement's refund is negative, its extra charge positive). */
  taken: Amounts;
}

/** The memory store, and the same store with only its async methods: the limiter's two paths. */
const stores: Array<[string, (clock: Clock) => RateLimitStore]> = [
  ['through takeSync and adjustSync', (clock) => createMemoryStore({ clock })],
  ['through async take and adjust only', (clock) => asyncOnly(createMemoryStore({ clock }))],
];

function asyncOnly(store: RateLimitStore): RateLimitStore {
  return {
    take: (request) => store.take(request),
    adjust: (request) => store.adjust(request),
    sync: (request) => store.sync(request),
    throttle: (request) => store.throttle(request),
    peek: (request) => store.peek(request),
  };
}

describe('the limiter never admits more than its buckets allow', () => {
  it.each(stores)(
    'over any interval, admitted requests and tokens stay within limit + refill (%s)',
    async (_path, makeStore) => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            requestsPerMinute: fc.integer({ min: 1, max: 30 }),
            inputTokensPerMinute: fc.integer({ min: 3_000, max: 20_000 }),
            outputTokensPerMinute: fc.integer({ min: 2_000, max: 20_000 }),
          }),
          fc.array(operation, { minLength: 1, maxLength: 60 }),
          async (limits, operations) => {
            const clock = createManualClock(1_000_000);
            const limiter = createRateLimiter({
              clock,
              bus: createBus(),
              store: makeStore(clock),
              limits,
              outputReservation: 'max_tokens',
            });
            const events: BucketEvent[] = [];
            const open: Reservation[] = [];
            for (const step of operations) {
              if (step.kind === 'acquire') {
                limiter.acquire({ model: sonnet, ...step }).then(
                  (reservation) => {
                    open.push(reservation);
                    const taken = {
                      requests: 1,
                      input: reservation.inputTokens,
                      output: reservation.outputTokens,
                    };
                    events.push({ atMs: clock.now(), admission: true, taken });
                  },
                  () => undefined,
                );
                await clock.flush();
              } else if (step.kind === 'advance') {
                await clock.advance(step.ms);
              } else {
                const [reservation] = open.splice(step.pick % Math.max(1, open.length), 1);
                if (!reservation) continue;
                if (step.release) {
                  reservation.release();
                  const taken = {
                    requests: -1,
                    input: -reservation.inputTokens,
                    output: -reservation.outputTokens,
                  };
                  events.push({ atMs: clock.now(), admission: false, taken });
                } else {
                  // Real usage anywhere from nothing to twice what was held: refunds and extra charges.
                  const input = Math.floor(reservation.inputTokens * step.inputShare);
                  const output = Math.floor(reservation.outputTokens * step.outputShare);
                  reservation.reconcile(usage({ inputTokens: input, outputTokens: output }));
                  const taken = {
                    requests: 0,
                    input: input - reservation.inputTokens,
                    output: output - reservation.outputTokens,
                  };
                  events.push({ atMs: clock.now(), admission: false, taken });
                }
                await clock.flush();
              }
            }
            limiter.close();
            // A bucket holds at most its limit before any event, refills at limit / 60 s, and
            // admits only while it holds enough: so from any event up to any admission, what was
            // taken (net of refunds, plus extra charges) is at most the limit plus the refill.
            const buckets = [
              ['requests', limits.requestsPerMinute],
              ['input', limits.inputTokensPerMinute],
              ['output', limits.outputTokensPerMinute],
            ] as const;
            for (let first = 0; first < events.length; first += 1) {
              for (const [bucket, limit] of buckets) {
                let total = 0;
                for (let last = first; last < events.length; last += 1) {
                  total += events[last]!.taken[bucket];
                  if (!events[last]!.admission) continue;
                  const elapsedMs = events[last]!.atMs - events[first]!.atMs;
                  expect(total).toBeLessThanOrEqual(limit + (limit / 60_000) * elapsedMs + 1e-6);
                }
              }
            }
          },
        ),
        { numRuns: 250 },
      );
    },
  );
});
