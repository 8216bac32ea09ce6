/** One caller waiting for admission. */
export interface QueuedWaiter {
  priority: number;
  enqueuedAtMs: number;
  /** Arrival order, for first come first served. */
  sequence: number;
  /** Managed by the queue: whether the waiter is counted in it. */
  queued: boolean;
  /** Set once the waiter left the queue (admitted, aborted, timed out). */
  settled: boolean;
}

/** The waiters of one priority, oldest first; settled ones are skipped lazily. */
interface Lane<TWaiter> {
  priority: number;
  items: TWaiter[];
  head: number;
}

/**
 * Waiters of one model class. `next` picks by effective priority (priority plus one step per
 * `priorityAgingMs` waited, so low priorities are never starved by a stream of high ones), then
 * first come first served. The limiter never lets a later waiter overtake the one `next`
 * returns, so a large request is never starved by a stream of small ones.
 *
 * Within one priority the oldest waiter always has the highest effective priority, so only the
 * head of each priority's lane is compared: `next` costs O(number of distinct priorities).
 */
export class WaitQueue<TWaiter extends QueuedWaiter> {
  private readonly lanes: Lane<TWaiter>[] = [];
  private count = 0;

  constructor(private readonly priorityAgingMs: number) {}

  /** Waiters not yet settled. */
  get length(): number {
    return this.count;
  }

  push(waiter: TWaiter): void {
    let lane = this.lanes.find((candidate) => candidate.priority === waiter.priority);
    if (!lane) {
      lane = { priority: waiter.priority, items: [], head: 0 };
      this.lanes.push(lane);
    }
    lane.items.push(waiter);
    waiter.queued = true;
    this.count += 1;
  }

  /** Counts a settled waiter out; it is dropped from its lane lazily. */
  remove(waiter: TWaiter): void {
    if (!waiter.queued) return;
    waiter.queued = false;
    this.count -= 1;
  }

  /** The waiter to serve next at `nowMs`, or `undefined` when none waits. */
  next(nowMs: number): TWaiter | undefined {
    let best: TWaiter | undefined;
    let bestPriority = Number.NEGATIVE_INFINITY;
    for (const lane of this.lanes) {
      const head = this.headOf(lane);
      if (!head) continue;
      const effective = this.effectivePriority(head, nowMs);
      if (effective > bestPriority || (effective === bestPriority && best && head.sequence < best.sequence)) {
        best = head;
        bestPriority = effective;
      }
    }
    return best;
  }

  /** Every waiter not yet settled, oldest first (to reject them all at once). */
  drain(): TWaiter[] {
    const waiting: TWaiter[] = [];
    for (const lane of this.lanes) {
      for (let index = lane.head; index < lane.items.length; index += 1) {
        const waiter = lane.items[index]!;
        if (waiter.settled) continue;
        waiter.queued = false;
        waiting.push(waiter);
      }
    }
    this.lanes.length = 0;
    this.count = 0;
    return waiting.sort((left, right) => left.sequence - right.sequence);
  }

  private headOf(lane: Lane<TWaiter>): TWaiter | undefined {
    while (lane.head < lane.items.length && lane.items[lane.head]!.settled) lane.head += 1;
    if (lane.head > 1024 && lane.head * 2 > lane.items.length) {
      lane.items.splice(0, lane.head);
      lane.head = 0;
    }
    return lane.items[lane.head];
  }

  private effectivePriority(waiter: TWaiter, nowMs: number): number {
    if (!Number.isFinite(this.priorityAgingMs)) return waiter.priority;
    return waiter.priority + Math.floor(Math.max(0, nowMs - waiter.enqueuedAtMs) / this.priorityAgingMs);
  }
}
