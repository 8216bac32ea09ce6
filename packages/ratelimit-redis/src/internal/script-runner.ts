import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Lua script with its SHA1, computed here so the first call needs no `SCRIPT LOAD`. */
export interface LuaScript {
  source: string;
  sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const noScriptPattern = /^NOSCRIPT/;

/**
 * Runs `script` with `EVALSHA` (one round trip). When Redis answers `NOSCRIPT` (after a restart,
 * a `SCRIPT FLUSH`, or on a cluster node that has not seen it), the script did not run, so it is
 * sent once with `EVAL`, which runs it and caches it again for the next `EVALSHA`.
 */
export async function runScript(
  client: Redis | Cluster,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<string[]> {
  try {
    return (await client.evalsha(script.sha, keys.length, ...keys, ...args)) as string[];
  } catch (error) {
    if (!(error instanceof Error) || !noScriptPattern.test(error.message)) throw error;
    return (await client.eval(script.source, keys.length, ...keys, ...args)) as string[];
  }
}
