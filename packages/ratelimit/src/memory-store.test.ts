import { createManualClock, InvalidArgumentError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { runStoreContract } from './store-contract.js';

// `synchronous`: the suite runs through take/adjust, then again through takeSync/adjustSync.
runStoreContract({
  name: 'memory store on a manual clock',
  synchronous: true,
  createSubject: () => {
    const clock = createManualClock(1_700_000_000_000);
    return { store: createMemoryStore({ clock }), advanceTime: (ms) => clock.advance(ms) };
  },
});

runStoreContract({
  name: 'memory store on the system clock, without advancing time',
  synchronous: true,
  createSubject: () => ({ store: createMemoryStore() }),
});

describe('createMemoryStore', () => {
  it('reads "now" from its injected clock', async () => {
    const clock = createManualClock(5_000);
    const store = createMemoryStore({ clock });
    const result = await store.throttle({ scope: { namespace: 'n', modelClass: 'c' }, durationMs: 10 });
    expect(result).toEqual({ nowMs: 5_000, throttledUntilMs: 5_010 });
  });

  it('refuses an unknown option', () => {
    expect(() => createMemoryStore({ clok: 1 } as never)).toThrow(InvalidArgumentError);
  });
});
