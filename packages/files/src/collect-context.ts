import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { FileRefusalReason, TokenEstimator } from '@bulwark/core';
import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOptionalSignal,
  invalidArgument,
  throwIfAborted,
} from '@bulwark/core/internal';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { FileAccessError } from './file-access-error.js';
import { chunkPieces } from './internal/chunk-engine.js';
import { maxChunkChars } from './internal/chunk-options.js';
import { counterFor } from './internal/counter.js';
import { formatOf } from './internal/format-of.js';
import { type JailRoot, lexicalRelative } from './internal/resolve-inside.js';

export interface CollectContextOptions {
  /** The most tokens all collected text may have together. */
  tokenBudget: number;
  /** Gitignore-style patterns (relative to the root) to leave out. @default [] */
  ignore?: readonly string[];
  /** Honour `.gitignore` files in the root and below. @default true */
  gitignore?: boolean;
  /** When a file does not fit whole, take its first chunk that fits the rest of the budget. @default true */
  allowPartial?: boolean;
  /** Files larger than this are left out (`too_large`). @default the root's `maxFileBytes` */
  maxFileBytes?: number;
  /** @default the root's estimator */
  estimator?: TokenEstimator;
  signal?: AbortSignal;
}

/** A file (or its first part) that fits the budget. */
export interface ContextFile {
  /** Relative to the root, with `/` separators. */
  path: string;
  text: string;
  tokenCount: number;
  /** True when only the first `lineEnd` lines are included. */
  partial: boolean;
  lineStart: number;
  lineEnd: number;
}

/** Why a file was left out: a refusal, an ignore rule, or no room left in the budget. */
export type ContextOmissionReason = FileRefusalReason | 'ignored' | 'over_budget';

export interface ContextOmission {
  /** Relative to the root; a directory ends in `/`. */
  path: string;
  reason: ContextOmissionReason;
  /** The file's tokens, when they were counted. */
  tokenCount?: number;
  message?: string;
}

export interface CollectedContext {
  files: ContextFile[];
  omitted: ContextOmission[];
  usedTokens: number;
  tokenBudget: number;
}

/** What `collectContextIn` needs of a safe root. */
export interface RootAccess {
  jail: JailRoot;
  readText(path: string, options: { maxBytes?: number; signal?: AbortSignal }): Promise<string>;
  estimator: TokenEstimator;
}

/** Below this many tokens left, a partial file is not worth including. */
const minPartialTokens = 32;

interface IgnoreFrame {
  base: string;
  rules: Ignore;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Walks `patterns` under the root and fills the budget in path order. */
export async function collectContextIn(
  access: RootAccess,
  patterns: string | readonly string[],
  options: CollectContextOptions,
): Promise<CollectedContext> {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  if (!Array.isArray(list) || list.some((pattern) => typeof pattern !== 'string' || pattern.length === 0)) {
    throw invalidArgument('patterns', 'a non-empty string or an array of them', patterns);
  }
  expectKnownKeys('options', expectObject('options', options), [
    'tokenBudget',
    'ignore',
    'gitignore',
    'allowPartial',
    'maxFileBytes',
    'estimator',
    'signal',
  ]);
  const tokenBudget = expectNumber('options.tokenBudget', options.tokenBudget, { min: 0, integer: true });
  const { ignore: ignorePatterns = [], gitignore = true, allowPartial = true, maxFileBytes } = options;
  if (!Array.isArray(ignorePatterns))
    throw invalidArgument('options.ignore', 'an array of patterns', ignorePatterns);
  const signal = expectOptionalSignal('options.signal', options.signal);
  const count = await counterFor(options.estimator ?? access.estimator);
  const explicit = ignore().add([...ignorePatterns]);
  const root = access.jail.realRoot;

  const omitted: ContextOmission[] = [];
  const candidates = new Set<string>();
  const isIgnored = (rel: string, isDirectory: boolean, frames: readonly IgnoreFrame[]): boolean => {
    const suffix = isDirectory ? '/' : '';
    if (explicit.ignores(rel + suffix)) return true;
    return frames.some((frame) => frame.rules.ignores(posix.relative(frame.base, rel) + suffix));
  };

  const withGitignoreOf = async (directoryRel: string, frames: IgnoreFrame[]): Promise<IgnoreFrame[]> => {
    if (!gitignore) return frames;
    const rules = await readFile(join(root, directoryRel, '.gitignore'), 'utf8').catch(() => undefined);
    return rules === undefined ? frames : [...frames, { base: directoryRel, rules: ignore().add(rules) }];
  };
  /** The .gitignore rules of the root and every directory down to (not including) `rel`. */
  const framesAbove = async (rel: string): Promise<IgnoreFrame[]> => {
    let frames = await withGitignoreOf('', []);
    const parts = rel === '' ? [] : rel.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) {
      frames = await withGitignoreOf(parts.slice(0, depth).join('/'), frames);
    }
    return frames;
  };

  const walk = async (directoryRel: string, frames: IgnoreFrame[], matches: (rel: string) => boolean) => {
    throwIfAborted(signal);
    const directory = join(root, directoryRel);
    const here = directoryRel === '' ? frames : await withGitignoreOf(directoryRel, frames);
    let entries: Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      omitted.push({ path: `${directoryRel}/`, reason: 'permission', message: String(error) });
      return;
    }
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const rel = directoryRel === '' ? entry.name : `${directoryRel}/${entry.name}`;
      const isDirectory = entry.isDirectory();
      if (isIgnored(rel, isDirectory, here)) {
        omitted.push({ path: isDirectory ? `${rel}/` : rel, reason: 'ignored' });
        continue;
      }
      if (isDirectory) await walk(rel, here, matches);
      else if (matches(rel)) candidates.add(rel);
    }
  };

  for (const pattern of list) {
    const scan = picomatch.scan(pattern);
    const base = scan.isGlob ? scan.base || '.' : pattern;
    let baseRel: string;
    try {
      baseRel = toPosix(lexicalRelative(access.jail, base, 'patterns'));
    } catch (error) {
      if (!FileAccessError.isInstance(error)) throw error;
      omitted.push({ path: pattern, reason: error.reason, message: error.message });
      continue;
    }
    const matcher = scan.isGlob
      ? picomatch(toPosix(relative(root, join(root, pattern))), { dot: true })
      : undefined;
    const info = await lstat(join(root, baseRel)).catch(() => undefined);
    if (info === undefined) {
      omitted.push({ path: baseRel || pattern, reason: 'not_found' });
    } else if (info.isDirectory()) {
      await walk(baseRel, await framesAbove(baseRel), matcher ?? (() => true));
    } else if (isIgnored(baseRel, false, await framesAbove(baseRel))) {
      omitted.push({ path: baseRel, reason: 'ignored' });
    } else if (!matcher || matcher(baseRel)) {
      candidates.add(baseRel);
    }
  }

  const files: ContextFile[] = [];
  let remaining = tokenBudget;
  for (const path of candidates) {
    throwIfAborted(signal);
    if (remaining < Math.min(minPartialTokens, tokenBudget) || remaining === 0) {
      omitted.push({ path, reason: 'over_budget' });
      continue;
    }
    let text: string;
    try {
      text = await access.readText(path, {
        ...(maxFileBytes === undefined ? {} : { maxBytes: maxFileBytes }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (!FileAccessError.isInstance(error)) throw error;
      omitted.push({ path, reason: error.reason, message: error.message });
      continue;
    }
    const tokenCount = await count(text);
    const lineCount = text.length === 0 ? 1 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (tokenCount <= remaining) {
      files.push({ path, text, tokenCount, partial: false, lineStart: 1, lineEnd: lineCount });
      remaining -= tokenCount;
      continue;
    }
    if (allowPartial && remaining >= Math.min(minPartialTokens, tokenBudget)) {
      const first = await chunkPieces([text], {
        maxTokens: remaining,
        overlapTokens: 0,
        count,
        format: formatOf(path),
        byteLength: (piece) => Buffer.byteLength(piece, 'utf8'),
        firstByte: 0,
        signal,
        maxChunkChars,
      }).next();
      if (!first.done) {
        const chunk = first.value;
        files.push({
          path,
          text: chunk.text,
          tokenCount: chunk.tokenCount,
          partial: true,
          lineStart: 1,
          lineEnd: chunk.lineEnd,
        });
        remaining -= chunk.tokenCount;
        omitted.push({
          path,
          reason: 'over_budget',
          tokenCount,
          message: `only lines 1-${chunk.lineEnd} of ${lineCount} fit (${chunk.tokenCount} of ${tokenCount} tokens)`,
        });
        continue;
      }
    }
    omitted.push({ path, reason: 'over_budget', tokenCount });
  }
  return { files, omitted, usedTokens: tokenBudget - remaining, tokenBudget };
}
