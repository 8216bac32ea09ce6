import { realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Bus, TokenEstimator } from '@bulwark/core';
import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalSignal,
  invalidArgument,
} from '@bulwark/core/internal';
import type { Chunk } from './chunk.js';
import type { ChunkTextOptions } from './chunk-text.js';
import { type CollectContextOptions, type CollectedContext, collectContextIn } from './collect-context.js';
import { FileAccessError } from './file-access-error.js';
import { chunkPieces } from './internal/chunk-engine.js';
import { maxChunkChars, validateChunkOptions } from './internal/chunk-options.js';
import { counterFor } from './internal/counter.js';
import { byteLengthIn } from './internal/decode.js';
import { defaultEstimator } from './internal/default-estimator.js';
import { refusalFromErrno } from './internal/errno.js';
import { filePieces } from './internal/file-pieces.js';
import { formatOf } from './internal/format-of.js';
import { readAt, readTextFromHandle, sniff } from './internal/read-handle.js';
import { type JailRoot, lexicalRelative, openInside, resolveInside } from './internal/resolve-inside.js';
import { type WriteFileAtomicOptions, writeFileAtomic } from './write-file-atomic.js';

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

const defaultMaxFileBytes = 10 * 1024 * 1024;
/**
 * Bytes read and decoded at a time by `chunkFile`. Small enough that the decoded block and the
 * window built from it stay out of V8's large-object space and die young: with 1 MiB blocks
 * every block left two large strings behind for the old generation, and peak RSS rose to about
 * 200 MB on a 100 MB file before a major collection, against about 110 MB with 64 KiB.
 */
const blockBytes = 64 * 1024;

/**
 * Opens `root` as a jail: every path given to the returned object resolves inside it, or is
 * refused with a `FileAccessError` whose `reason` says why (and a `file:refused` event).
 */
export async function openSafeRoot(root: string, options: SafeRootOptions = {}): Promise<SafeRoot> {
  if (typeof root !== 'string' || root.length === 0)
    throw invalidArgument('root', 'a non-empty string', root);
  expectKnownKeys('options', expectObject('options', options), [
    'followSymlinks',
    'maxFileBytes',
    'allowBinary',
    'invalidUtf8',
    'estimator',
    'bus',
  ]);
  const {
    followSymlinks = false,
    maxFileBytes = defaultMaxFileBytes,
    allowBinary = false,
    invalidUtf8 = 'refuse',
    estimator = defaultEstimator(),
    bus,
  } = options;
  expectNumber('options.maxFileBytes', maxFileBytes, { min: 0, integer: true });
  expectOneOf('options.invalidUtf8', invalidUtf8, ['replace', 'refuse'] as const);
  const givenRoot = resolve(root);
  let realRoot: string;
  try {
    realRoot = await realpath(givenRoot);
  } catch (error) {
    throw refusalFromErrno(error, root);
  }
  if (!(await stat(realRoot)).isDirectory()) {
    throw new FileAccessError({
      path: root,
      reason: 'not_a_file',
      message: `The root \`${root}\` is not a directory`,
    });
  }
  const jail: JailRoot = { realRoot, givenRoot, followSymlinks: followSymlinks === true };

  const refused = (error: unknown): never => {
    if (FileAccessError.isInstance(error)) {
      bus?.emit('file:refused', { path: error.path, reason: error.reason, message: error.message });
    }
    throw error;
  };
  const openFile = async (path: string) => {
    const real = await resolveInside(jail, path);
    return openInside(jail, path, real);
  };

  const safeRoot: SafeRoot = {
    root: realRoot,
    async resolve(path) {
      return resolveInside(jail, path).catch(refused);
    },
    async readText(path, readOptions = {}) {
      expectKnownKeys('options', expectObject('options', readOptions), [
        'maxBytes',
        'allowBinary',
        'invalidUtf8',
        'signal',
      ]);
      const maxBytes = expectNumber('options.maxBytes', readOptions.maxBytes ?? maxFileBytes, {
        min: 0,
        integer: true,
      });
      expectOptionalSignal('options.signal', readOptions.signal);
      readOptions.signal?.throwIfAborted();
      try {
        const handle = await openFile(path);
        try {
          return await readTextFromHandle(handle, path, {
            maxBytes,
            allowBinary: readOptions.allowBinary ?? allowBinary,
            invalidUtf8: expectOneOf('options.invalidUtf8', readOptions.invalidUtf8 ?? invalidUtf8, [
              'replace',
              'refuse',
            ] as const),
          });
        } finally {
          await handle.close();
        }
      } catch (error) {
        return refused(error);
      }
    },
    async *chunkFile(path, chunkOptions) {
      const valid = validateChunkOptions('options', chunkOptions, ['allowBinary']);
      const handle = await openFile(path).catch(refused);
      try {
        const head = await readAt(handle, 8192, 0);
        const { encoding, bomLength } = (() => {
          try {
            return sniff(head, path, chunkOptions.allowBinary ?? allowBinary);
          } catch (error) {
            return refused(error);
          }
        })();
        const count = await counterFor(valid.estimator ?? estimator);
        const chunks = chunkPieces(
          filePieces(handle, path, { encoding, startByte: bomLength, blockBytes, signal: valid.signal }),
          {
            maxTokens: valid.maxTokens,
            overlapTokens: valid.overlapTokens,
            count,
            format: valid.format ?? formatOf(path),
            byteLength: byteLengthIn(encoding),
            firstByte: bomLength,
            signal: valid.signal,
            maxChunkChars,
          },
        );
        try {
          for await (const chunk of chunks) {
            const { index, tokenCount, byteStart, byteEnd, lineStart, lineEnd } = chunk;
            bus?.emit('file:chunk', { path, index, tokenCount, byteStart, byteEnd, lineStart, lineEnd });
            yield chunk;
          }
        } catch (error) {
          refused(error);
        }
      } finally {
        await handle.close();
      }
    },
    async collectContext(patterns, collectOptions) {
      return collectContextIn({ jail, readText: safeRoot.readText, estimator }, patterns, collectOptions);
    },
    async writeFileAtomic(path, data, writeOptions) {
      try {
        const rel = lexicalRelative(jail, path);
        if (rel === '') throw invalidArgument('path', 'a file path inside the root', path);
        const directory = await resolveInside(jail, dirname(rel));
        const target = join(directory, relative(dirname(rel), rel));
        // An existing target must itself resolve inside the root (a followed symlink is written through).
        const existing = await resolveInside(jail, relative(realRoot, target)).catch((error: unknown) => {
          if (!FileAccessError.isInstance(error) || error.reason !== 'not_found') throw error;
          return undefined;
        });
        await writeFileAtomic(existing ?? target, data, writeOptions);
      } catch (error) {
        refused(error);
      }
    },
  };
  return safeRoot;
}

/**
 * Chunks one file without a jail of your own: the file's directory becomes the root (so a
 * symlinked file is refused unless `followSymlinks`-style access is arranged with `openSafeRoot`).
 */
export async function* chunkFile(
  path: string,
  options: ChunkFileOptions & { bus?: Bus },
): AsyncGenerator<Chunk> {
  const { bus, ...chunkOptions } = options;
  const absolute = resolve(path);
  const root = await openSafeRoot(dirname(absolute), bus === undefined ? {} : { bus });
  yield* root.chunkFile(absolute, chunkOptions);
}
