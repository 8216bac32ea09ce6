import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { invalidArgument } from '@bulwark/core/internal';
import { FileAccessError } from '../file-access-error.js';
import { errnoCode, refusalFromErrno } from './errno.js';

/** The root of a jail: its real path (symlinks resolved) and the spelling the caller gave. */
export interface JailRoot {
  readonly realRoot: string;
  readonly givenRoot: string;
  readonly followSymlinks: boolean;
}

/** True when `candidate` is `root` or lies below it (both absolute and normalised). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function outside(path: string, why: string): FileAccessError {
  return new FileAccessError({ path, reason: 'outside_root', message: `\`${path}\` ${why}` });
}

/**
 * The path of `input` relative to the root, checked lexically: NUL bytes, `..` escapes and
 * absolute paths elsewhere are refused. `..` is resolved on the name, never by the kernel,
 * so a symlinked directory cannot turn `link/..` into somewhere else.
 */
export function lexicalRelative(jail: JailRoot, input: unknown, argument = 'path'): string {
  if (typeof input !== 'string') throw invalidArgument(argument, 'a string', input);
  if (input.includes('\0')) throw outside(JSON.stringify(input), 'contains a NUL byte');
  if (isAbsolute(input)) {
    for (const base of [jail.realRoot, jail.givenRoot]) {
      const absolute = resolve(input);
      if (isInside(base, absolute)) return relative(base, absolute);
    }
    throw outside(input, 'is an absolute path outside the root');
  }
  const absolute = resolve(jail.realRoot, input);
  if (!isInside(jail.realRoot, absolute)) throw outside(input, 'escapes the root');
  return relative(jail.realRoot, absolute);
}

/**
 * Resolves `input` to a real path inside the root, one component at a time. A symlink is
 * refused (`symlink_escape`) unless `followSymlinks` is on and its real target stays inside
 * the root. The result contains no symlinks, so opening it with `O_NOFOLLOW` is exact.
 */
export async function resolveInside(jail: JailRoot, input: string): Promise<string> {
  const rel = lexicalRelative(jail, input);
  let current = jail.realRoot;
  if (rel === '') return current;
  for (const part of rel.split(sep)) {
    const next = join(current, part);
    let info: Awaited<ReturnType<typeof lstat>>;
    try {
      info = await lstat(next);
    } catch (error) {
      throw refusalFromErrno(error, input);
    }
    if (!info.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (!jail.followSymlinks) {
      throw new FileAccessError({
        path: input,
        reason: 'symlink_escape',
        message: `\`${input}\` passes through a symbolic link, and symlinks are not followed (option \`followSymlinks\`)`,
      });
    }
    let target: string;
    try {
      target = await realpath(next);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT') {
        // A link that cannot be read names nothing outside: the ENOENT refusal below then says why.
        const pointsTo = resolve(current, await readlink(next).catch(() => '.'));
        if (!isInside(jail.realRoot, pointsTo)) throw symlinkEscape(input);
      }
      throw refusalFromErrno(error, input);
    }
    if (!isInside(jail.realRoot, target)) throw symlinkEscape(input);
    current = target;
  }
  return current;
}

function symlinkEscape(input: string): FileAccessError {
  return new FileAccessError({
    path: input,
    reason: 'symlink_escape',
    message: `\`${input}\` is a symbolic link whose target leaves the root`,
  });
}

const readFlags =
  constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

/**
 * Opens the resolved path, then checks the open descriptor: it must be a regular file, and
 * on Linux `/proc/self/fd` must name a file inside the root. Checking the descriptor rather
 * than the name closes the gap between check and use: a path swapped for a symlink or a
 * FIFO after resolution is caught here. `O_NONBLOCK` keeps a FIFO from blocking the open.
 */
export async function openInside(jail: JailRoot, input: string, realPath: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(realPath, readFlags);
  } catch (error) {
    throw refusalFromErrno(error, input);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new FileAccessError({
        path: input,
        reason: 'not_a_file',
        message: `\`${input}\` is not a regular file (a directory, FIFO, socket or device)`,
      });
    }
    // No /proc (not Linux, or not mounted): fall back to comparing device and inode below.
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (opened !== undefined) {
      if (!isInside(jail.realRoot, opened.replace(/ \(deleted\)$/, ''))) throw symlinkEscape(input);
    } else {
      const byName = await stat(realPath);
      if (byName.ino !== info.ino || byName.dev !== info.dev) throw symlinkEscape(input);
    }
    return handle;
  } catch (error) {
    // The refusal is what the caller needs; a failed close of a read-only handle loses nothing.
    await handle.close().catch(() => undefined);
    throw refusalFromErrno(error, input);
  }
}
