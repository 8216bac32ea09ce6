import type Anthropic from '@anthropic-ai/sdk';
import type {
  AdmissionFeedback,
  AdmissionGate,
  AdmissionRequest,
  BulwarkEventName,
  BulwarkEvents,
  Bus,
  ManualClock,
  Reservation,
  Usage,
} from '@bulwark/core';

/** Every event of `names` emitted on `bus`, in order. */
export function recordEvents<Name extends BulwarkEventName>(
  bus: Bus,
  names: readonly Name[],
): Array<{ name: Name; payload: BulwarkEvents[Name] }> {
  const seen: Array<{ name: Name; payload: BulwarkEvents[Name] }> = [];
  for (const name of names) {
    bus.on(name, ((payload: BulwarkEvents[Name]) => seen.push({ name, payload })) as never);
  }
  return seen;
}

/**
 * Waits for `promise` while moving `clock` to each timer it schedules (backoff waits), letting
 * real I/O run in between. Nothing here waits on wall time.
 */
export async function settleWithClock<T>(promise: Promise<T>, clock: ManualClock): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => {});
  while (!settled) {
    if (clock.pendingTimers > 0) await clock.advanceToNextTimer();
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return tracked;
}

/** How a reservation was settled: reconciled (with its usage and `partial` flag) or released. */
export type Settlement = { kind: 'reconcile'; usage: Usage; partial: boolean } | { kind: 'release' };

/**
 * An admission gate that admits everything at once and records what it was told: every call in
 * order, and per reservation how it was settled. It has its own state and no bus.
 */
export function createRecordingGate() {
  const calls: Array<
    | { kind: 'acquire'; request: AdmissionRequest }
    | { kind: 'reconcile'; usage: Usage; partial: boolean }
    | { kind: 'release' }
    | { kind: 'observe'; feedback: AdmissionFeedback }
  > = [];
  const reservations: Array<{ reservation: Reservation; settlements: Settlement[] }> = [];
  const gate: AdmissionGate = {
    async acquire(request) {
      calls.push({ kind: 'acquire', request });
      const settlements: Settlement[] = [];
      const settle = (settlement: Settlement) => {
        settlements.push(settlement);
        calls.push(settlement);
      };
      const reservation: Reservation = {
        model: request.model,
        requestId: request.requestId,
        inputTokens: request.inputTokens,
        outputTokens: request.maxOutputTokens,
        reconcile: (usage, options) =>
          settle({ kind: 'reconcile', usage, partial: options?.partial ?? false }),
        release: () => settle({ kind: 'release' }),
      };
      reservations.push({ reservation, settlements });
      return reservation;
    },
    observe(feedback) {
      calls.push({ kind: 'observe', feedback });
    },
  };
  return { gate, calls, reservations };
}

/** The text of a message's text blocks, joined. */
export function textOf(message: Pick<Anthropic.Message, 'content'> | undefined): string {
  let text = '';
  for (const block of message?.content ?? []) if (block.type === 'text') text += block.text;
  return text;
}
