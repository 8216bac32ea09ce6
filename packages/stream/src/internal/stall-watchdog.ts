import type { Clock, ClockTimer } from '@bulwark/core';

/** Watches a stream for silence; `touch` on every sign of life. */
export interface StallWatchdog {
  touch(): void;
  stop(): void;
}

const inactive: StallWatchdog = { touch() {}, stop() {} };

/**
 * Calls `onStall(idleMs)` once nothing touched the watchdog for `stallTimeoutMs`. One timer
 * at a time, re-armed only when it fires early, so a busy stream costs a `clock.now()` per
 * event and no timer churn. `Infinity` turns it off.
 */
export function startStallWatchdog(
  clock: Clock,
  stallTimeoutMs: number,
  onStall: (idleMs: number) => void,
): StallWatchdog {
  if (!Number.isFinite(stallTimeoutMs)) return inactive;
  let lastActivityMs = clock.now();
  let stopped = false;
  let timer: ClockTimer | undefined;
  const check = (): void => {
    timer = undefined;
    if (stopped) return;
    const idleMs = clock.now() - lastActivityMs;
    if (idleMs >= stallTimeoutMs) {
      stopped = true;
      onStall(idleMs);
      return;
    }
    timer = clock.setTimeout(check, stallTimeoutMs - idleMs);
  };
  timer = clock.setTimeout(check, stallTimeoutMs);
  return {
    touch() {
      lastActivityMs = clock.now();
    },
    stop() {
      stopped = true;
      timer?.cancel();
      timer = undefined;
    },
  };
}
