/** One caller waiting for admission. */
export interface QueuedWaiter {
  priority: number;
  enqueuedAtMs: number;
  sequence: number;
}

/**
 * Waiters of one model class. `next` picks by effective priority (priority plus one step per
 * `priorityAgingMs` waited, so low priorities are never starved by a stream of high ones), then
 * first come first served. The limiter never lets a later waiter overtake the one `next`
 * returns, so a large request is never starved by a stream of small ones.
 */
export class WaitQueue<TWaiter extends QueuedWaiter> {
  private readonly waiters: TWaiter[] = [];

  constructor(private readonly priorityAgingMs: number) {}

  get length(): number {
    return this.waiters.length;
  }

  push(waiter: TWaiter): void {
    this.waiters.push(waiter);
  }

  remove(waiter: TWaiter): boolean {
    const index = this.waiters.indexOf(waiter);
    if (index === -1) return false;
    this.waiters.splice(index, 1);
    return true;
  }

  /** The waiter to serve next at `nowMs`, or `undefined` when none waits. */
  next(nowMs: number): TWaiter | undefined {
    let best: TWaiter | undefined;
    let bestPriority = Number.NEGATIVE_INFINITY;
    for (const waiter of this.waiters) {
      const effective = this.effectivePriority(waiter, nowMs);
      // Arrival order within the array makes the first of equal priorities win.
      if (effective > bestPriority) {
        best = waiter;
        bestPriority = effective;
      }
    }
    return best;
  }

  /** Every waiter, in arrival order (to reject them all at once). */
  drain(): TWaiter[] {
    return this.waiters.splice(0, this.waiters.length);
  }

  private effectivePriority(waiter: TWaiter, nowMs: number): number {
    if (!Number.isFinite(this.priorityAgingMs)) return waiter.priority;
    return waiter.priority + Math.floor(Math.max(0, nowMs - waiter.enqueuedAtMs) / this.priorityAgingMs);
  }
}
