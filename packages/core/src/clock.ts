import { AbortedError } from './errors.js';

/** A scheduled callback that can be cancelled. */
export interface ClockTimer {
  /** Cancels the callback if it has not run; does nothing afterwards. */
  cancel(): void;
}

/**
 * Time and timers, injected so that code can be tested without waiting. `now()` is in
 * milliseconds since the Unix epoch, so it can be compared with times from HTTP headers.
 */
export interface Clock {
  now(): number;
  /** Runs `callback` once after `delayMs` (clamped to >= 0). */
  setTimeout(callback: () => void, delayMs: number): ClockTimer;
}

interface UnrefableTimer {
  unref?: () => void;
}

export interface SystemClockOptions {
  /**
   * Let pending timers not keep a Node process alive (`timer.unref()`), for background
   * work such as progress reports. @default false
   */
  unref?: boolean;
}

/** The clock of the runtime: `Date.now()` and the global `setTimeout`. */
export function createSystemClock({ unref = false }: SystemClockOptions = {}): Clock {
  return {
    now: () => Date.now(),
    setTimeout(callback, delayMs) {
      const handle = globalThis.setTimeout(callback, Math.max(0, delayMs));
      if (unref) (handle as unknown as UnrefableTimer).unref?.();
      return { cancel: () => globalThis.clearTimeout(handle) };
    },
  };
}

/** The shared system clock used when no clock is injected. */
export const systemClock: Clock = createSystemClock();

/** A clock that only moves when a test tells it to. */
export interface ManualClock extends Clock {
  /** Timers scheduled and not yet run or cancelled. */
  readonly pendingTimers: number;
  /** The time the next pending timer is due, or `undefined` when none is. */
  nextTimerAt(): number | undefined;
  /**
   * Moves time forward by `ms`, running every timer that falls due in order of due time
   * (then of scheduling), including timers scheduled by those callbacks within the window.
   * Synchronous: promise callbacks scheduled by the timers run after it returns.
   */
  tick(ms: number): void;
  /**
   * Like `tick`, but lets pending promise callbacks settle after each timer runs, so async
   * code awaiting a timer can schedule its next one within the same advance.
   */
  advance(ms: number): Promise<void>;
  /** Advances to the next pending timer and runs it (with the timers due at the same time). */
  advanceToNextTimer(): Promise<void>;
  /** Lets pending promise callbacks settle without moving time. */
  flush(): Promise<void>;
  /** Moves time forward to `timeMs` (never back), running the timers due on the way, like `tick`. */
  setTime(timeMs: number): void;
  /**
   * Waits for `promise` while moving time to each timer it schedules (a backoff, a throttle),
   * letting real I/O (a request to a local server) run in between. Time moves only while
   * timers are pending, so code that does real work between its waits never sees a timeout
   * fire early. Resolves or rejects as `promise` does.
   */
  runUntilSettled<T>(promise: Promise<T>): Promise<T>;
}

interface ScheduledTimer {
  dueAt: number;
  sequence: number;
  callback: () => void;
  cancelled: boolean;
}

/** One turn of the host's event loop, so pending I/O callbacks run (any runtime). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => globalThis.setTimeout(resolve, 0));
}

/** Flushes microtasks several times over, enough for chains of awaits to settle. */
async function settlePromises(rounds = 25): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    await Promise.resolve();
  }
}

/** A manual clock for tests, starting at `startMs` (epoch milliseconds). @default 0 */
export function createManualClock(startMs = 0): ManualClock {
  let currentTime = startMs;
  let sequence = 0;
  let timers: ScheduledTimer[] = [];

  const takeNextDue = (limit: number): ScheduledTimer | undefined => {
    let next: ScheduledTimer | undefined;
    for (const timer of timers) {
      if (timer.cancelled || timer.dueAt > limit) continue;
      if (
        !next ||
        timer.dueAt < next.dueAt ||
        (timer.dueAt === next.dueAt && timer.sequence < next.sequence)
      ) {
        next = timer;
      }
    }
    if (next) timers = timers.filter((timer) => timer !== next);
    return next;
  };

  const runDue = (target: number): void => {
    for (let timer = takeNextDue(target); timer; timer = takeNextDue(target)) {
      currentTime = Math.max(currentTime, timer.dueAt);
      timer.callback();
    }
    currentTime = Math.max(currentTime, target);
  };

  const clock: ManualClock = {
    now: () => currentTime,
    setTimeout(callback, delayMs) {
      const timer: ScheduledTimer = {
        dueAt: currentTime + Math.max(0, Number.isFinite(delayMs) ? delayMs : 0),
        sequence: sequence++,
        callback,
        cancelled: false,
      };
      timers.push(timer);
      return {
        cancel() {
          timer.cancelled = true;
          timers = timers.filter((candidate) => candidate !== timer);
        },
      };
    },
    get pendingTimers() {
      return timers.length;
    },
    nextTimerAt() {
      let earliest: number | undefined;
      for (const timer of timers) {
        if (earliest === undefined || timer.dueAt < earliest) earliest = timer.dueAt;
      }
      return earliest;
    },
    tick(ms) {
      runDue(currentTime + Math.max(0, ms));
    },
    async advance(ms) {
      const target = currentTime + Math.max(0, ms);
      await settlePromises();
      for (let timer = takeNextDue(target); timer; timer = takeNextDue(target)) {
        currentTime = Math.max(currentTime, timer.dueAt);
        timer.callback();
        await settlePromises();
      }
      currentTime = Math.max(currentTime, target);
      await settlePromises();
    },
    async advanceToNextTimer() {
      await settlePromises();
      const next = clock.nextTimerAt();
      if (next !== undefined) await clock.advance(next - currentTime);
    },
    flush: () => settlePromises(),
    setTime(timeMs) {
      runDue(Math.max(currentTime, timeMs));
    },
    async runUntilSettled(promise) {
      let settled = false;
      const tracked = promise.finally(() => {
        settled = true;
      });
      // Observed here so a rejection is not reported as unhandled while the loop runs.
      tracked.catch(() => {});
      for (;;) {
        await settlePromises();
        if (settled) break;
        if (timers.length > 0) await clock.advanceToNextTimer();
        else await nextTurn();
      }
      return tracked;
    },
  };
  return clock;
}

/**
 * Resolves after `delayMs` on `clock`; rejects with `AbortedError` as soon as `signal` aborts
 * (and cancels the timer, so nothing is left pending).
 */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError({ cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(new AbortedError({ cause: signal?.reason }));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
