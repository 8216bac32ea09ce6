import { describe, expect, it } from 'vitest';
import { createManualClock, createSystemClock, sleep } from './clock.js';
import { AbortedError } from './errors.js';

describe('createManualClock', () => {
  it('starts at the given time and moves only when told', () => {
    const clock = createManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.tick(250);
    expect(clock.now()).toBe(1_250);
  });

  it('fires timers in order of due time, then of scheduling, each seeing its own due time', () => {
    const clock = createManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 300);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => fired.push(`b1@${clock.now()}`), 200);
    clock.setTimeout(() => fired.push(`b2@${clock.now()}`), 200);
    clock.tick(250);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200']);
    expect(clock.now()).toBe(250);
    expect(clock.pendingTimers).toBe(1);
    clock.tick(50);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300']);
  });

  it('runs timers scheduled by a timer when they fall within the same tick', () => {
    const clock = createManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 100);
    }, 100);
    clock.tick(500);
    expect(fired).toEqual([100, 200]);
  });

  it('does not fire cancelled timers', () => {
    const clock = createManualClock(0);
    const fired: string[] = [];
    const timer = clock.setTimeout(() => fired.push('cancelled'), 10);
    clock.setTimeout(() => fired.push('kept'), 20);
    timer.cancel();
    timer.cancel();
    clock.tick(100);
    expect(fired).toEqual(['kept']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports the next due time', () => {
    const clock = createManualClock(50);
    expect(clock.nextTimerAt()).toBeUndefined();
    clock.setTimeout(() => {}, 30);
    clock.setTimeout(() => {}, 10);
    expect(clock.nextTimerAt()).toBe(60);
  });

  it('lets async code awaiting one timer schedule the next within one advance', async () => {
    const clock = createManualClock(0);
    const steps: number[] = [];
    const run = async () => {
      for (let step = 0; step < 3; step += 1) {
        await sleep(clock, 100);
        steps.push(clock.now());
      }
    };
    const done = run();
    await clock.advance(300);
    await done;
    expect(steps).toEqual([100, 200, 300]);
  });

  it('advanceToNextTimer jumps to the next due timer', async () => {
    const clock = createManualClock(0);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 5_000);
    await clock.advanceToNextTimer();
    expect(fired).toBe(true);
    expect(clock.now()).toBe(5_000);
  });

  it('setTime moves forward only and runs what falls due', () => {
    const clock = createManualClock(100);
    let fired = 0;
    clock.setTimeout(() => fired++, 50);
    clock.setTime(50);
    expect(clock.now()).toBe(100);
    expect(fired).toBe(0);
    clock.setTime(200);
    expect(clock.now()).toBe(200);
    expect(fired).toBe(1);
  });
});

describe('runUntilSettled', () => {
  it('moves time through each wait of async work and returns its result', async () => {
    const clock = createManualClock(1_000);
    const work = (async () => {
      await sleep(clock, 500);
      await new Promise((resolve) => globalThis.setTimeout(resolve, 5)); // real I/O in between
      await sleep(clock, 2_000);
      return clock.now();
    })();
    expect(await clock.runUntilSettled(work)).toBe(3_500);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects as the work does, without moving time past it', async () => {
    const clock = createManualClock(0);
    clock.setTimeout(() => {}, 60_000);
    const failing = Promise.reject(new Error('boom'));
    await expect(clock.runUntilSettled(failing)).rejects.toThrow('boom');
    expect(clock.now()).toBe(0);
  });
});

describe('sleep', () => {
  it('resolves when the clock reaches the delay, not before', async () => {
    const clock = createManualClock(0);
    let resolved = false;
    const sleeping = sleep(clock, 1_000).then(() => {
      resolved = true;
    });
    await clock.advance(999);
    expect(resolved).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(resolved).toBe(true);
  });

  it('rejects with AbortedError at once when aborted, and leaves no timer behind', async () => {
    const clock = createManualClock(0);
    const controller = new AbortController();
    const sleeping = sleep(clock, 60_000, controller.signal);
    expect(clock.pendingTimers).toBe(1);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toBeInstanceOf(AbortedError);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects immediately for an already aborted signal', async () => {
    const clock = createManualClock(0);
    await expect(sleep(clock, 10, AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('createSystemClock', () => {
  it('reads the real time and cancels real timers', () => {
    const clock = createSystemClock({ unref: true });
    const before = Date.now();
    expect(clock.now()).toBeGreaterThanOrEqual(before);
    let fired = false;
    const timer = clock.setTimeout(() => {
      fired = true;
    }, 1);
    timer.cancel();
    expect(fired).toBe(false);
  });
});
