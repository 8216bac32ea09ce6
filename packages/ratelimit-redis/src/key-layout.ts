import { createHash } from 'node:crypto';
import type { StoreScope } from '@bulwark/ratelimit';

/** The Redis names of one scope: the hash holding its buckets and throttle mark, and its refund channel. */
export interface ScopeKeys {
  /** `{...}`: the Redis Cluster hash tag of the scope. */
  tag: string;
  /** The hash with every bucket of the scope and its throttle mark. */
  key: string;
  /** Where refunds to the scope are announced. */
  channel: string;
}

/**
 * A hash of the namespace (often an API key or an organisation id, so never stored as is),
 * 24 hex digits of SHA-256: enough to keep namespaces apart, short enough to read.
 */
export function namespaceHash(namespace: string): string {
  return createHash('sha256').update(namespace).digest('hex').slice(0, 24);
}

/**
 * `<prefix>{<hash of namespace>:<model class>}` for the hash, `...:refund` for the channel. The
 * braces are a Redis Cluster hash tag, so anything added for a scope later lands in the same
 * slot. The model class is URI-encoded so no brace inside it can end the tag early.
 */
export function scopeKeys(prefix: string, scope: StoreScope): ScopeKeys {
  const tag = `{${namespaceHash(scope.namespace)}:${encodeURIComponent(scope.modelClass)}}`;
  return { tag, key: `${prefix}${tag}`, channel: `${prefix}${tag}:refund` };
}

const cacheLimit = 1_000;

/** `scopeKeys` remembered per scope, so a hot loop does not hash the namespace on every call. */
export function createScopeKeyCache(prefix: string): (scope: StoreScope) => ScopeKeys {
  const cache = new Map<string, ScopeKeys>();
  return (scope) => {
    const id = `${scope.namespace}\u0000${scope.modelClass}`;
    let keys = cache.get(id);
    if (!keys) {
      if (cache.size >= cacheLimit) cache.clear();
      keys = scopeKeys(prefix, scope);
      cache.set(id, keys);
    }
    return keys;
  };
}
