import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { defineOptions, invalidArgument, option, parseOptions, throwIfAborted } from '@bulwark/core/internal';
import { errnoCode } from './internal/errno.js';

export interface WriteFileAtomicOptions {
  /** File mode for a new file (an existing file keeps its own). @default 0o666 (less the umask) */
  mode?: number;
  signal?: AbortSignal;
}

const writeFileAtomicOptions = defineOptions<WriteFileAtomicOptions>()({
  mode: option.number({ min: 0, max: 0o7777, integer: true, default: 0o666 }),
  signal: option.signal(),
});

/**
 * Writes `data` to `path` so that a reader, or the file after a crash, holds either the old
 * content or the new one, never a mixture: a temp file in the same directory is written,
 * fsynced and renamed over the target, then the directory is fsynced so the rename itself
 * survives a power cut. An existing file keeps its mode. The temp file is removed on failure.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('path', 'a non-empty string', path);
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw invalidArgument('data', 'a string or a Uint8Array', data);
  }
  const { mode, signal } = parseOptions('options', options, writeFileAtomicOptions);
  throwIfAborted(signal);

  let existingMode: number | undefined;
  try {
    const info = await lstat(path);
    if (info.isFile()) existingMode = info.mode & 0o7777;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }

  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      existingMode ?? mode,
    );
    // The umask may have narrowed the mode given to open: set the old file's mode exactly.
    if (existingMode !== undefined) await handle.chmod(existingMode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    throwIfAborted(signal);
    await rename(temporary, path);
  } catch (error) {
    // Best-effort cleanup: the write's own error is the one the caller needs, and a temp file
    // that cannot be removed is at worst a stray `.name.*.tmp` (see the README).
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic.
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    // A read-only directory handle: closing it cannot lose data, and the write already succeeded.
    await handle?.close().catch(() => undefined);
  }
}
