import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDirectory } from './test-support/temp-dir.js';
import { writeFileAtomic } from './write-file-atomic.js';

let temp: Awaited<ReturnType<typeof createTempDirectory>>;

beforeAll(async () => {
  temp = await createTempDirectory();
});

afterAll(async () => {
  await temp.remove();
});

describe('writeFileAtomic', () => {
  it('creates a file with the given content', async () => {
    const path = join(temp.path, 'new.txt');
    await writeFileAtomic(path, 'hello');
    expect(await readFile(path, 'utf8')).toBe('hello');
  });

  it('replaces an existing file and keeps its mode', async () => {
    const path = join(temp.path, 'script.sh');
    await writeFile(path, 'old');
    await chmod(path, 0o751);
    await writeFileAtomic(path, new TextEncoder().encode('new'));
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o7777).toBe(0o751);
  });

  it('removes its temp file and leaves the target alone when the write fails', async () => {
    const directory = join(temp.path, 'fails');
    await mkdir(join(directory, 'target-is-a-directory'), { recursive: true });
    await expect(writeFileAtomic(join(directory, 'target-is-a-directory'), 'x')).rejects.toThrow();
    expect(await readdir(directory)).toEqual(['target-is-a-directory']);
  });

  it('does not write when the signal is already aborted', async () => {
    const path = join(temp.path, 'aborted.txt');
    await expect(writeFileAtomic(path, 'x', { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    await expect(stat(path)).rejects.toThrow();
  });

  it('refuses data that is neither a string nor bytes', async () => {
    await expect(writeFileAtomic(join(temp.path, 'x'), 42 as never)).rejects.toThrow(/data/);
  });

  it('refuses a mode that is not a file mode, naming the option', async () => {
    await expect(writeFileAtomic(join(temp.path, 'x'), 'x', { mode: -1 })).rejects.toThrow(/options.mode/);
  });

  it('leaves the old or the new content, never a mixture, when the writer is killed at random moments', async () => {
    const childDirectory = join(temp.path, 'child');
    await mkdir(childDirectory);
    const bundle = join(childDirectory, 'writer.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./test-support/atomic-writer-child.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    const contentA = 'A'.repeat(256 * 1024);
    const contentB = `${'B'.repeat(384 * 1024)}\n`;
    const lanes = 8;
    const children = 30;
    const targets = Array.from({ length: lanes }, (_, lane) => join(childDirectory, `target-${lane}.txt`));
    for (const target of targets) await writeFile(target, contentA);
    let interrupted = 0;
    for (let run = 0; run < children; run += 1) {
      const child = spawn(
        process.execPath,
        [bundle, String(contentA.length), String(contentB.length - 1), ...targets],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await killAfterFirstWrite(child, Math.random() * 8);
      interrupted += lanes;
      for (const target of targets) {
        const content = await readFile(target, 'utf8');
        expect(content === contentA || content === contentB).toBe(true);
      }
    }
    expect(interrupted).toBeGreaterThanOrEqual(200);
  });
});

/** Waits until the child has written once, lets it write on for `delayMs`, then SIGKILLs it. */
function killAfterFirstWrite(child: ChildProcess, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve());
    child.stdout?.once('data', () => {
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
  });
}
