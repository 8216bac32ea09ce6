import { createHash } from 'node:crypto';
import type { StoreBucketName, StoreScope } from '@bulwark/ratelimit';

/** The Redis names of one scope: a throttle key, one key per bucket, and a refund channel. */
export interface ScopeKeys {
  /** `{...}`: the hash tag shared by every key, so a cluster keeps them in one slot. */
  tag: string;
  throttle: string;
  channel: string;
  bucket(name: StoreBucketName): string;
}

/**
 * A hash of the namespace (often an API key or an organisation id, so never stored as is),
 * 24 hex digits of SHA-256: enough to keep namespaces apart, short enough to read.
 */
export function namespaceHash(namespace: string): string {
  return createHash('sha256').update(namespace).digest('hex').slice(0, 24);
}

/**
 * `<prefix>{<hash of namespace>:<model class>}:<bucket>`. The braces are a Redis Cluster hash
 * tag: every key of a scope lands in one slot, which a multi-key Lua script requires. The model
 * class is URI-encoded so no brace or separator inside it can end the tag early.
 */
export function scopeKeys(prefix: string, scope: StoreScope): ScopeKeys {
  const tag = `{${namespaceHash(scope.namespace)}:${encodeURIComponent(scope.modelClass)}}`;
  return {
    tag,
    throttle: `${prefix}${tag}:throttle`,
    channel: `${prefix}${tag}:refund`,
    bucket: (name) => `${prefix}${tag}:${name}`,
  };
}
