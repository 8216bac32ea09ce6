import { createBus, createManualClock, type Reservation } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { createRateLimiter } from './rate-limiter.js';
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
    inputShare: fc.double({ min: 0, max: 1, noNaN: true }),
    outputShare: fc.double({ min: 0, max: 1, noNaN: true }),
    release: fc.boolean(),
  }),
);

interface Admission {
  atMs: number;
  reservation: Reservation;
  /** What the server would count for the call: its real usage, or nothing if released. */
  counted: { requests: number; input: number; output: number } | undefined;
}

describe('the limiter never admits more than its buckets allow', () => {
  it('over any interval, admitted requests and tokens stay within limit + refill', async () => {
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
            store: createMemoryStore({ clock }),
            limits,
            outputReservation: 'max_tokens',
          });
          const admissions: Admission[] = [];
          for (const step of operations) {
            if (step.kind === 'acquire') {
              limiter.acquire({ model: sonnet, ...step }).then(
                (reservation) => admissions.push({ atMs: clock.now(), reservation, counted: undefined }),
                () => undefined,
              );
              await clock.flush();
            } else if (step.kind === 'advance') {
              await clock.advance(step.ms);
            } else {
              const open = admissions.filter((admission) => admission.counted === undefined);
              const target = open[step.pick % Math.max(1, open.length)];
              if (!target) continue;
              const { reservation } = target;
              if (step.release) {
                reservation.release();
                target.counted = { requests: 0, input: 0, output: 0 };
              } else {
                const input = Math.floor(reservation.inputTokens * step.inputShare);
                const output = Math.floor(reservation.outputTokens * step.outputShare);
                reservation.reconcile(usage({ inputTokens: input, outputTokens: output }));
                target.counted = { requests: 1, input, output };
              }
              await clock.flush();
            }
          }
          limiter.close();
          // Calls still open count in full: the server may count all they hold.
          const counted = admissions.map((admission) => ({
            atMs: admission.atMs,
            amounts: admission.counted ?? {
              requests: 1,
              input: admission.reservation.inputTokens,
              output: admission.reservation.outputTokens,
            },
          }));
          const buckets = [
            ['requests', limits.requestsPerMinute],
            ['input', limits.inputTokensPerMinute],
            ['output', limits.outputTokensPerMinute],
          ] as const;
          for (let first = 0; first < counted.length; first += 1) {
            for (const [bucket, limit] of buckets) {
              let total = 0;
              for (let last = first; last < counted.length; last += 1) {
                total += counted[last]!.amounts[bucket];
                const elapsedMs = counted[last]!.atMs - counted[first]!.atMs;
                expect(total).toBeLessThanOrEqual(limit + (limit / 60_000) * elapsedMs + 1e-6);
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
