import type { StoreAdjustRequest, StoreLevelsResult, StoreTakeRequest, StoreTakeResult } from '../store.js';

/**
 * The memory store also answers synchronously, so the limiter can admit without a round trip
 * through the event loop when nobody waits. Not part of the public store interface: a store
 * across a network cannot offer it, and the limiter falls back to the async methods.
 */
export interface SyncStoreOperations {
  takeSync(request: StoreTakeRequest): StoreTakeResult;
  adjustSync(request: StoreAdjustRequest): StoreLevelsResult;
}

export const syncStoreOperations = Symbol('bulwark.ratelimit.syncStoreOperations');

/** The synchronous operations of `store`, when it has them. */
export function syncOperationsOf(store: object): SyncStoreOperations | undefined {
  return (store as { [syncStoreOperations]?: SyncStoreOperations })[syncStoreOperations];
}
