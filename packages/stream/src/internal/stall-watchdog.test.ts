import { createManualClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { startStallWatchdog } from './stall-watchdog.js';

describe('startStallWatchdog', () => {
  it('fires once the stream has been silent for the timeout', () => {
    const clock = createManualClock();
    const stalls: number[] = [];
    startStallWatchdog(clock, 1000, (idle) => stalls.push(idle));
    clock.tick(999);
    expect(stalls).toEqual([]);
    clock.tick(1);
    expect(stalls).toEqual([1000]);
  });

  it('measures silence from the last touch', () => {
    const clock = createManualClock();
    const stalls: number[] = [];
    const watchdog = startStallWatchdog(clock, 1000, (idle) => stalls.push(idle));
    clock.tick(600);
    watchdog.touch();
    clock.tick(900);
    expect(stalls).toEqual([]);
    clock.tick(100);
    expect(stalls).toEqual([1000]);
    clock.tick(5000);
    expect(stalls).toHaveLength(1);
  });

  it('leaves no timer behind once stopped', () => {
    const clock = createManualClock();
    const watchdog = startStallWatchdog(clock, 1000, () => {});
    watchdog.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('does nothing with an infinite timeout', () => {
    const clock = createManualClock();
    startStallWatchdog(clock, Number.POSITIVE_INFINITY, () => {});
    expect(clock.pendingTimers).toBe(0);
  });
});
