import { execFileSync } from 'node:child_process';
import { chmod, mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBus, type FileRefusedEvent } from '@bulwark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAccessError } from './file-access-error.js';
import { openSafeRoot, type SafeRoot } from './safe-root.js';
import { createTempDirectory } from './test-support/temp-dir.js';

let temp: Awaited<ReturnType<typeof createTempDirectory>>;
let rootPath: string;
let root: SafeRoot;
let following: SafeRoot;

const fiveMegabyteLine = 'lorem ipsum dolor sit amet, '.repeat(Math.ceil((5 * 1024 * 1024) / 28));

beforeAll(async () => {
  temp = await createTempDirectory();
  rootPath = join(temp.path, 'root');
  await mkdir(join(rootPath, 'dir'), { recursive: true });
  await mkdir(join(temp.path, 'outside'));
  await writeFile(join(temp.path, 'outside', 'secret.txt'), 'secret\n');
  await writeFile(join(rootPath, 'ok.txt'), 'hello\n');
  await writeFile(join(rootPath, 'crlf.txt'), 'one\r\ntwo\r\n');
  await writeFile(join(rootPath, 'empty.txt'), '');
  await writeFile(join(rootPath, 'nul.bin'), Buffer.from([0x68, 0x69, 0x00, 0x01, 0x02]));
  await writeFile(join(rootPath, 'bad-utf8.txt'), Buffer.from([0x66, 0xff, 0x6f]));
  await writeFile(
    join(rootPath, 'utf16le.txt'),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo 🦜', 'utf16le')]),
  );
  await writeFile(
    join(rootPath, 'utf16be.txt'),
    Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('héllo 🦜', 'utf16le').swap16()]),
  );
  await writeFile(
    join(rootPath, 'bom.txt'),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('hi')]),
  );
  await writeFile(join(rootPath, 'long-line.txt'), fiveMegabyteLine);
  await writeFile(join(rootPath, 'sparse.bin'), '');
  await truncate(join(rootPath, 'sparse.bin'), 4 * 1024 ** 3);
  execFileSync('mkfifo', [join(rootPath, 'fifo')]);
  await symlink('/etc', join(rootPath, 'etc-link'));
  await symlink('../outside/secret.txt', join(rootPath, 'sibling-link'));
  await symlink('loop-b', join(rootPath, 'loop-a'));
  await symlink('loop-a', join(rootPath, 'loop-b'));
  await symlink('/dev/zero', join(rootPath, 'zero-link'));
  await symlink('ok.txt', join(rootPath, 'inner-link'));
  await symlink('dir', join(rootPath, 'dir-link'));
  await writeFile(join(rootPath, 'dir', 'nested.txt'), 'nested\n');
  root = await openSafeRoot(rootPath);
  following = await openSafeRoot(rootPath, { followSymlinks: true });
});

afterAll(async () => {
  await temp.remove();
});

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (FileAccessError.isInstance(error)) return error.reason;
    throw error;
  }
  return 'read';
}

describe('openSafeRoot: the jail', () => {
  it.each([
    ['../outside/secret.txt', 'outside_root'],
    ['dir/../../outside/secret.txt', 'outside_root'],
    ['/etc/passwd', 'outside_root'],
    ['ok.txt\0../../etc/passwd', 'outside_root'],
    ['missing.txt', 'not_found'],
    ['dir', 'not_a_file'],
    ['fifo', 'not_a_file'],
  ])('refuses %j with %s', async (path, reason) => {
    expect(await reasonOf(root.readText(path))).toBe(reason);
    expect(await reasonOf(following.readText(path))).toBe(reason);
  });

  it.each([
    ['etc-link/passwd', 'symlink_escape'],
    ['sibling-link', 'symlink_escape'],
    ['loop-a', 'symlink_escape'],
    ['zero-link', 'symlink_escape'],
  ])('refuses the escaping symlink %j with %s, followed or not', async (path, reason) => {
    expect(await reasonOf(root.readText(path))).toBe(reason);
    expect(await reasonOf(following.readText(path))).toBe(reason);
  });

  it('refuses a symlink inside the root by default and follows it when allowed', async () => {
    expect(await reasonOf(root.readText('inner-link'))).toBe('symlink_escape');
    expect(await following.readText('inner-link')).toBe('hello\n');
    expect(await following.readText('dir-link/nested.txt')).toBe('nested\n');
  });

  it('accepts an absolute path inside the root', async () => {
    expect(await root.readText(join(rootPath, 'ok.txt'))).toBe('hello\n');
  });

  it('refuses a device without reading it', async () => {
    const dev = await openSafeRoot('/dev');
    expect(await reasonOf(dev.readText('zero'))).toBe('not_a_file');
  });

  it('refuses a sparse file of several GB by its size, before reading', async () => {
    expect(await reasonOf(root.readText('sparse.bin'))).toBe('too_large');
  });

  it('refuses root options of the wrong type, naming the option', async () => {
    await expect(openSafeRoot(temp.path, { followSymlinks: 'yes' as never })).rejects.toThrow(
      /options.followSymlinks/,
    );
  });

  it('refuses a file above a custom size cap', async () => {
    expect(await reasonOf(root.readText('ok.txt', { maxBytes: 3 }))).toBe('too_large');
  });

  it.skipIf(process.getuid?.() === 0)('refuses an unreadable file with permission', async () => {
    await writeFile(join(rootPath, 'locked.txt'), 'x');
    await chmod(join(rootPath, 'locked.txt'), 0o000);
    expect(await reasonOf(root.readText('locked.txt'))).toBe('permission');
  });

  it('emits file:refused with the reason on the bus', async () => {
    const bus = createBus();
    const events: FileRefusedEvent[] = [];
    bus.on('file:refused', (event) => events.push(event));
    const withBus = await openSafeRoot(rootPath, { bus });
    await reasonOf(withBus.readText('../outside/secret.txt'));
    expect(events).toEqual([
      expect.objectContaining({ path: '../outside/secret.txt', reason: 'outside_root' }),
    ]);
  });

  it('resolves a path to its real location inside the root', async () => {
    expect(await root.resolve('dir/nested.txt')).toBe(join(root.root, 'dir', 'nested.txt'));
  });
});

describe('readText', () => {
  it('reads CRLF text unchanged', async () => {
    expect(await root.readText('crlf.txt')).toBe('one\r\ntwo\r\n');
  });

  it('reads an empty file as an empty string', async () => {
    expect(await root.readText('empty.txt')).toBe('');
  });

  it('refuses NUL bytes as binary unless allowBinary', async () => {
    expect(await reasonOf(root.readText('nul.bin'))).toBe('binary');
    expect(await root.readText('nul.bin', { allowBinary: true })).toBe('hi\u0000\u0001\u0002');
  });

  it('refuses invalid UTF-8 by default and replaces it when asked', async () => {
    expect(await reasonOf(root.readText('bad-utf8.txt'))).toBe('encoding');
    expect(await root.readText('bad-utf8.txt', { invalidUtf8: 'replace' })).toBe('f\uFFFDo');
  });

  it('decodes UTF-16 LE and BE by their byte-order mark', async () => {
    expect(await root.readText('utf16le.txt')).toBe('héllo 🦜');
    expect(await root.readText('utf16be.txt')).toBe('héllo 🦜');
  });

  it('strips a UTF-8 byte-order mark', async () => {
    expect(await root.readText('bom.txt')).toBe('hi');
  });

  it('reads a single 5 MB line', async () => {
    expect(await root.readText('long-line.txt')).toBe(fiveMegabyteLine);
  });
});

describe('chunkFile on the adversarial tree', () => {
  async function collect(rootToUse: SafeRoot, path: string, maxTokens = 200) {
    const chunks = [];
    for await (const chunk of rootToUse.chunkFile(path, { maxTokens })) chunks.push(chunk);
    return chunks;
  }

  it('refuses the sparse file as binary from its first block, without reading the rest', async () => {
    expect(await reasonOf(collect(root, 'sparse.bin'))).toBe('binary');
  });

  it.each([
    ['fifo', 'not_a_file'],
    ['zero-link', 'symlink_escape'],
    ['../outside/secret.txt', 'outside_root'],
    ['bad-utf8.txt', 'encoding'],
    ['nul.bin', 'binary'],
  ])('refuses %j with %s', async (path, reason) => {
    expect(await reasonOf(collect(root, path))).toBe(reason);
  });

  it('chunks a single 5 MB line within budget, cutting at sentence or word boundaries', async () => {
    const chunks = await collect(root, 'long-line.txt', 1000);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(1000);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text.endsWith(' ')).toBe(true);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(fiveMegabyteLine);
    expect(chunks.at(-1)?.byteEnd).toBe(Buffer.byteLength(fiveMegabyteLine));
  });

  it('yields nothing for an empty file', async () => {
    expect(await collect(root, 'empty.txt')).toEqual([]);
  });

  it('chunks a UTF-16 file with byte offsets in the file', async () => {
    const chunks = await collect(root, 'utf16le.txt', 3);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe('héllo 🦜');
    expect(chunks[0]?.byteStart).toBe(2);
    expect(chunks.at(-1)?.byteEnd).toBe(2 + 'héllo 🦜'.length * 2);
  });
});
