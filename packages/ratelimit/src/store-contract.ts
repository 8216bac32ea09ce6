import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  adjustAndSyncContract,
  type ContractTest,
  refillContract,
  slow,
  takeContract,
  throttleAndScopeContract,
} from './internal/store-contract-tests.js';
import type { RateLimitStore } from './store.js';

/** A store under test, fresh for each test. */
export interface StoreContractSubject {
  store: RateLimitStore;
  /**
   * Moves the store's clock forward by at least `ms` (a manual clock's `advance`, or a real
   * wait for a store on a server clock). Tests that need time to pass are skipped without it.
   */
  advanceTime?: (ms: number) => Promise<void>;
  /** Closes connections or removes keys after the test. */
  close?: () => Promise<void>;
}

export interface StoreContractOptions {
  /** Shown in the suite's name, such as `memory store` or `redis store`. */
  name: string;
  /** Creates the store for one test. Each test also uses its own random namespace. */
  createSubject: () => StoreContractSubject | Promise<StoreContractSubject>;
  /**
   * The store answers `takeSync` and `adjustSync` (a store in the same process): the suite runs
   * a second time with `take` and `adjust` answered by them. A store that has them must set
   * this; the suite checks. @default false
   */
  synchronous?: boolean;
}

/**
 * The behaviour every `RateLimitStore` must have, as a Vitest suite. Call it at the top level
 * of a test file (`vitest` is an optional peer dependency of this package):
 *
 * ```ts
 * import { runStoreContract } from '@bulwark/ratelimit/store-contract';
 * runStoreContract({ name: 'redis store', createSubject: async () => ({ store, close }) });
 * ```
 *
 * Expected values are computed from the `nowMs` and levels the store reports, so the suite
 * holds for a store whose clock runs on its own (Redis `TIME`) as well as a manual clock. A
 * store with `takeSync` / `adjustSync` sets `synchronous`, and the suite runs again through them.
 */
export function runStoreContract(options: StoreContractOptions): void {
  describe(`RateLimitStore contract: ${options.name}`, () => defineContract(options, false));
  if (options.synchronous) {
    describe(`RateLimitStore contract: ${options.name}, through takeSync and adjustSync`, () =>
      defineContract(options, true));
  }
}

function defineContract(
  { createSubject, synchronous = false }: StoreContractOptions,
  throughSync: boolean,
): void {
  const t = {} as ContractTest;

  beforeEach(async () => {
    t.subject = await createSubject();
    t.store = throughSync ? throughSyncMethods(t.subject.store) : t.subject.store;
    t.scope = { namespace: `contract-${Math.random().toString(36).slice(2)}`, modelClass: 'claude-sonnet-4' };
  });

  afterEach(async () => {
    await t.subject.close?.();
  });

  it('offers takeSync or adjustSync only when the suite is told to run them (synchronous)', () => {
    const { store } = t.subject;
    expect(typeof store.takeSync === 'function' || typeof store.adjustSync === 'function').toBe(synchronous);
  });

  if (throughSync) {
    it('answers takeSync and adjustSync at once, not with a promise', () => {
      const { store } = t.subject;
      const request = { scope: t.scope, buckets: [{ ...slow('requests', 50), amount: 1 }] };
      for (const answer of [store.takeSync?.(request), store.adjustSync?.(request)]) {
        if (answer === undefined) continue;
        expect(answer).not.toBeInstanceOf(Promise);
        expect(typeof answer.nowMs).toBe('number');
      }
    });
  }

  takeContract(t);
  adjustAndSyncContract(t);
  throttleAndScopeContract(t);
  refillContract(t);
}

/**
 * `store` with `take` and `adjust` answered by its `takeSync` and `adjustSync`, so every test
 * of the suite runs through them too.
 */
function throughSyncMethods(store: RateLimitStore): RateLimitStore {
  const { takeSync, adjustSync } = store;
  return {
    take: takeSync ? async (request) => takeSync.call(store, request) : (request) => store.take(request),
    adjust: adjustSync
      ? async (request) => adjustSync.call(store, request)
      : (request) => store.adjust(request),
    sync: (request) => store.sync(request),
    throttle: (request) => store.throttle(request),
    peek: (request) => store.peek(request),
  };
}
