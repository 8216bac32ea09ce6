export { RedisUnavailableError } from './errors.js';
export { namespaceHash } from './key-layout.js';
export type { RedisStoreOptions, UnavailableMode } from './options.js';
export { createRedisStore, type RedisStore, type RedisStoreState } from './redis-store.js';
