import { type BulwarkEvents, createBus, createManualClock, emptyUsage, type Usage } from '@bulwark/core';
import { createMemoryStore } from '../memory-store.js';
import type { RateLimiterOptions } from '../options.js';
import { createRateLimiter } from '../rate-limiter.js';

export const sonnet = 'claude-sonnet-4-5';

/** A limiter on a manual clock with a bus whose events are recorded. */
export function createHarness(options: RateLimiterOptions = {}) {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const bus = createBus();
  const store = createMemoryStore({ clock });
  const limiter = createRateLimiter({ clock, bus, store, ...options });
  const events: Array<{ name: keyof BulwarkEvents; payload: unknown }> = [];
  for (const name of [
    'ratelimit:wait',
    'ratelimit:admit',
    'ratelimit:update',
    'ratelimit:throttled',
    'budget:exceeded',
    'budget:level',
  ] as const) {
    bus.on(name, (payload: unknown) => events.push({ name, payload }));
  }
  const eventsNamed = <Name extends keyof BulwarkEvents>(name: Name) =>
    events.filter((event) => event.name === name).map((event) => event.payload as BulwarkEvents[Name]);
  return { clock, bus, store, limiter, events, eventsNamed };
}

/** Follows a promise's state without awaiting it. */
export function track<T>(promise: Promise<T>) {
  const state: { status: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    status: 'pending',
  };
  promise.then(
    (value) => {
      state.status = 'resolved';
      state.value = value;
    },
    (error: unknown) => {
      state.status = 'rejected';
      state.error = error;
    },
  );
  return state;
}

export function usage(fields: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...fields };
}
