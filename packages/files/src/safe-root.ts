import { dirname, resolve } from 'node:path';
import type { Bus, TokenEstimator } from '@bulwark/core';
import { expectObject, invalidArgument } from '@bulwark/core/internal';
import type { Chunk } from './chunk.js';
import type { ChunkTextOptions } from './chunk-text.js';
import type { CollectContextOptions, CollectedContext } from './collect-context.js';
import { chunkFileIn } from './internal/chunk-file.js';
import { collectContextIn } from './internal/collect-context-in.js';
import { readTextIn } from './internal/read-text.js';
import { resolveInside } from './internal/resolve-inside.js';
import { openRootContext, refuse } from './internal/root-context.js';
import { writeInside } from './internal/write-inside.js';
import type { WriteFileAtomicOptions } from './write-file-atomic.js';

export interface SafeRootOptions {
  /** Follow symlinks whose real target stays inside the root; otherwise every symlink is refused. @default false */
  followSymlinks?: boolean;
  /** `readText` refuses larger files (`too_large`). @default 10 MiB */
  maxFileBytes?: number;
  /** Read files that look binary instead of refusing them. @default false */
  allowBinary?: boolean;
  /** What `readText` does with invalid UTF-8: refuse (`encoding`) or replace with U+FFFD. @default 'refuse' */
  invalidUtf8?: 'replace' | 'refuse';
  /** Counts tokens for `chunkFile` and `collectContext`. @default exact cl100k_base counts (`@bulwark/tokens`) */
  estimator?: TokenEstimator;
  /** Receives `file:chunk` and `file:refused`. */
  bus?: Bus;
}

export interface ReadTextOptions {
  /** @default the root's `maxFileBytes` */
  maxBytes?: number;
  /** @default the root's `allowBinary` */
  allowBinary?: boolean;
  /** @default the root's `invalidUtf8` */
  invalidUtf8?: 'replace' | 'refuse';
  signal?: AbortSignal;
}

export interface ChunkFileOptions extends ChunkTextOptions {
  /** Chunk a file that looks binary instead of refusing it. @default the root's `allowBinary` */
  allowBinary?: boolean;
}

/** A directory that every path argument is resolved inside of. */
export interface SafeRoot {
  /** The root's real path (symlinks resolved). */
  readonly root: string;
  /** The real path of `path` inside the root; refuses escapes (`FileAccessError`). */
  resolve(path: string): Promise<string>;
  /** The whole file as text (UTF-8, or UTF-16 by BOM), refusing what is too large, binary or badly encoded. */
  readText(path: string, options?: ReadTextOptions): Promise<string>;
  /** The file's chunks, read block by block in bounded memory. */
  chunkFile(path: string, options: ChunkFileOptions): AsyncGenerator<Chunk>;
  /** The files (or first chunks) under `patterns` that fit `tokenBudget`, and what was left out. */
  collectContext(
    patterns: string | readonly string[],
    options: CollectContextOptions,
  ): Promise<CollectedContext>;
  /** `writeFileAtomic` for a path inside the root. */
  writeFileAtomic(path: string, data: string | Uint8Array, options?: WriteFileAtomicOptions): Promise<void>;
}

/**
 * Opens `root` as a jail: every path given to the returned object resolves inside it, or is
 * refused with a `FileAccessError` whose `reason` says why (and a `file:refused` event). The
 * methods may be called detached from the object.
 */
export async function openSafeRoot(root: string, options: SafeRootOptions = {}): Promise<SafeRoot> {
  if (typeof root !== 'string' || root.length === 0)
    throw invalidArgument('root', 'a non-empty string', root);
  const context = await openRootContext(root, options);
  return {
    root: context.jail.realRoot,
    resolve: async (path) =>
      resolveInside(context.jail, path).catch((error: unknown) => refuse(context, error)),
    readText: (path, readOptions) => readTextIn(context, path, readOptions),
    chunkFile: (path, chunkOptions) => chunkFileIn(context, path, chunkOptions),
    collectContext: (patterns, collectOptions) => collectContextIn(context, patterns, collectOptions),
    writeFileAtomic: (path, data, writeOptions) => writeInside(context, path, data, writeOptions),
  };
}

/**
 * Chunks one file without a jail of your own: the file's directory becomes the root (so a
 * symlinked file is refused unless `followSymlinks`-style access is arranged with `openSafeRoot`).
 */
export async function* chunkFile(
  path: string,
  options: ChunkFileOptions & { bus?: Bus },
): AsyncGenerator<Chunk> {
  expectObject('options', options);
  const { bus, ...chunkOptions } = options;
  const absolute = resolve(path);
  const root = await openSafeRoot(dirname(absolute), bus === undefined ? {} : { bus });
  yield* root.chunkFile(absolute, chunkOptions);
}
