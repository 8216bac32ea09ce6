import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { summarizeError, throwIfAborted } from '@bulwark/core/internal';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { ContextOmission } from '../collect-context.js';
import { FileAccessError } from '../file-access-error.js';
import { errnoCode, refusalFromErrno } from './errno.js';
import { type JailRoot, lexicalRelative } from './resolve-inside.js';

/** The rules of one `.gitignore`, relative to its directory. */
interface IgnoreFrame {
  base: string;
  rules: Ignore;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function byName(left: Dirent, right: Dirent): number {
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}

/**
 * Finds the files `collectContext` may take: every file under the patterns (paths or globs),
 * in path order, less what `.gitignore` files and the `ignore` option leave out. What is
 * left out, and why, goes to `omitted`.
 */
export class ContextCandidates {
  /** Paths relative to the root, with `/` separators, in the order found. */
  readonly paths = new Set<string>();
  private readonly explicit: Ignore;
  private readonly root: string;
  /** `.gitignore` files already reported as unreadable (each is read once per pattern). */
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly jail: JailRoot,
    ignorePatterns: readonly string[],
    private readonly gitignore: boolean,
    private readonly signal: AbortSignal | undefined,
    private readonly omitted: ContextOmission[],
  ) {
    this.explicit = ignore().add([...ignorePatterns]);
    this.root = jail.realRoot;
  }

  /** Adds the files of one pattern: a file, a directory (walked), or a glob (its base walked). */
  async add(pattern: string): Promise<void> {
    const scan = picomatch.scan(pattern);
    const base = scan.isGlob ? scan.base || '.' : pattern;
    let baseRel: string;
    try {
      baseRel = toPosix(lexicalRelative(this.jail, base, 'patterns'));
    } catch (error) {
      if (!FileAccessError.isInstance(error)) throw error;
      this.omitted.push({ path: pattern, reason: error.reason, message: error.message });
      return;
    }
    const matcher = scan.isGlob
      ? picomatch(toPosix(relative(this.root, join(this.root, pattern))), { dot: true })
      : undefined;
    const info = await this.lstatOrOmit(baseRel, pattern);
    if (info === undefined) return;
    if (info.isDirectory()) {
      await this.walk(baseRel, await this.framesAbove(baseRel), matcher ?? (() => true));
    } else if (this.isIgnored(baseRel, false, await this.framesAbove(baseRel))) {
      this.omitted.push({ path: baseRel, reason: 'ignored' });
    } else if (!matcher || matcher(baseRel)) {
      this.paths.add(baseRel);
    }
  }

  /** The pattern's base, or `undefined` after saying why it cannot be looked at. */
  private async lstatOrOmit(baseRel: string, pattern: string) {
    try {
      return await lstat(join(this.root, baseRel));
    } catch (error) {
      // Handled: the pattern is reported as omitted, with the reason a refused path would get.
      const refusal = refusalFromErrno(error, baseRel || pattern);
      this.omitted.push(
        refusal.reason === 'not_found'
          ? { path: baseRel || pattern, reason: 'not_found' }
          : { path: baseRel || pattern, reason: refusal.reason, message: refusal.message },
      );
      return undefined;
    }
  }

  private async walk(directoryRel: string, frames: IgnoreFrame[], matches: (rel: string) => boolean) {
    throwIfAborted(this.signal);
    const here = directoryRel === '' ? frames : await this.withGitignoreOf(directoryRel, frames);
    let entries: Dirent[];
    try {
      entries = await readdir(join(this.root, directoryRel), { withFileTypes: true });
    } catch (error) {
      // Handled: the directory is reported as omitted and the walk goes on elsewhere.
      this.omitted.push({ path: `${directoryRel}/`, reason: 'permission', message: String(error) });
      return;
    }
    for (const entry of entries.sort(byName)) {
      if (entry.name === '.git') continue;
      const rel = directoryRel === '' ? entry.name : `${directoryRel}/${entry.name}`;
      const isDirectory = entry.isDirectory();
      if (this.isIgnored(rel, isDirectory, here)) {
        this.omitted.push({ path: isDirectory ? `${rel}/` : rel, reason: 'ignored' });
      } else if (isDirectory) {
        await this.walk(rel, here, matches);
      } else if (matches(rel)) {
        this.paths.add(rel);
      }
    }
  }

  private isIgnored(rel: string, isDirectory: boolean, frames: readonly IgnoreFrame[]): boolean {
    const suffix = isDirectory ? '/' : '';
    if (this.explicit.ignores(rel + suffix)) return true;
    return frames.some((frame) => frame.rules.ignores(posix.relative(frame.base, rel) + suffix));
  }

  /** The .gitignore rules of the root and every directory down to (not including) `rel`. */
  private async framesAbove(rel: string): Promise<IgnoreFrame[]> {
    let frames = await this.withGitignoreOf('', []);
    const parts = rel === '' ? [] : rel.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) {
      frames = await this.withGitignoreOf(parts.slice(0, depth).join('/'), frames);
    }
    return frames;
  }

  private async withGitignoreOf(directoryRel: string, frames: IgnoreFrame[]): Promise<IgnoreFrame[]> {
    if (!this.gitignore) return frames;
    const rules = await this.readGitignore(directoryRel);
    return rules === undefined ? frames : [...frames, { base: directoryRel, rules: ignore().add(rules) }];
  }

  /** The `.gitignore` of a directory; one that cannot be read is reported, since its rules are then not applied. */
  private async readGitignore(directoryRel: string): Promise<string | undefined> {
    const path = directoryRel === '' ? '.gitignore' : `${directoryRel}/.gitignore`;
    try {
      return await readFile(join(this.root, path), 'utf8');
    } catch (error) {
      const code = errnoCode(error);
      // No .gitignore here (or a directory by that name): no rules, nothing to say.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      const refusal = refusalFromErrno(error, path);
      if (this.unreadable.has(path)) return undefined;
      this.unreadable.add(path);
      this.omitted.push({
        path,
        reason: refusal.reason,
        message: `its rules were not applied: ${summarizeError(error).message}`,
      });
      return undefined;
    }
  }
}
