import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createBus, type FileRefusedEvent } from '@bulwark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafeRoot, type SafeRoot } from './safe-root.js';
import { characterEstimator } from './test-support/estimators.js';
import { createTempDirectory } from './test-support/temp-dir.js';

let temp: Awaited<ReturnType<typeof createTempDirectory>>;
let root: SafeRoot;
const events: FileRefusedEvent[] = [];

const files: Record<string, string | Buffer> = {
  '.gitignore': 'dist/\n*.log\n',
  'README.md': '# Title\n\nSome words.\n',
  'src/a.ts': 'export const a = 1;\n',
  'src/b.ts': 'export const b = 2;\n',
  'src/.gitignore': 'generated.ts\n',
  'src/generated.ts': 'generated\n',
  'src/big.ts': `${'const line = 0;\n'.repeat(40)}`,
  'src/image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]),
  'dist/out.js': 'built\n',
  'debug.log': 'log\n',
  'notes/todo.txt': 'todo\n',
};

beforeAll(async () => {
  temp = await createTempDirectory();
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(temp.path, path)), { recursive: true });
    await writeFile(join(temp.path, path), content);
  }
  const bus = createBus();
  bus.on('file:refused', (event) => events.push(event));
  root = await openSafeRoot(temp.path, { estimator: characterEstimator, bus });
});

afterAll(async () => {
  await temp.remove();
});

describe('collectContext', () => {
  it('takes whole files in path order while they fit, honouring .gitignore files at every level', async () => {
    const result = await root.collectContext('.', { tokenBudget: 10_000 });
    expect(result.files.map((file) => file.path)).toEqual([
      '.gitignore',
      'README.md',
      'notes/todo.txt',
      'src/.gitignore',
      'src/a.ts',
      'src/b.ts',
      'src/big.ts',
    ]);
    expect(result.omitted).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'dist/', reason: 'ignored' }),
        expect.objectContaining({ path: 'debug.log', reason: 'ignored' }),
        expect.objectContaining({ path: 'src/generated.ts', reason: 'ignored' }),
        expect.objectContaining({ path: 'src/image.png', reason: 'binary' }),
      ]),
    );
    expect(result.usedTokens).toBe(result.files.reduce((sum, file) => sum + file.tokenCount, 0));
  });

  it('matches globs and explicit ignore patterns', async () => {
    const result = await root.collectContext(['src/**/*.ts'], { tokenBudget: 10_000, ignore: ['b.ts'] });
    expect(result.files.map((file) => file.path)).toEqual(['src/a.ts', 'src/big.ts']);
    expect(result.omitted).toContainEqual(expect.objectContaining({ path: 'src/b.ts', reason: 'ignored' }));
  });

  it('never goes over the budget, takes the first part of a file that does not fit, and says so', async () => {
    const budget = 300;
    const result = await root.collectContext('src', { tokenBudget: budget });
    expect(result.usedTokens).toBeLessThanOrEqual(budget);
    const big = result.files.find((file) => file.path === 'src/big.ts');
    expect(big?.partial).toBe(true);
    expect(files['src/big.ts']?.toString().startsWith(big?.text ?? '')).toBe(true);
    expect(result.omitted).toContainEqual(
      expect.objectContaining({ path: 'src/big.ts', reason: 'over_budget', tokenCount: 640 }),
    );
  });

  it('reports every file after the budget is spent as over budget, without reading it', async () => {
    const result = await root.collectContext('src', { tokenBudget: 20, allowPartial: false });
    expect(result.files.map((file) => file.path)).toEqual(['src/.gitignore']);
    expect(
      result.omitted.filter((entry) => entry.reason === 'over_budget').map((entry) => entry.path),
    ).toEqual(['src/a.ts', 'src/b.ts', 'src/big.ts', 'src/image.png']);
  });

  it('reports a pattern outside the root instead of reading it, and emits file:refused for refused files', async () => {
    const result = await root.collectContext(['../elsewhere', 'src/image.png'], { tokenBudget: 100 });
    expect(result.omitted).toContainEqual(
      expect.objectContaining({ path: '../elsewhere', reason: 'outside_root' }),
    );
    expect(events).toContainEqual(expect.objectContaining({ path: 'src/image.png', reason: 'binary' }));
  });

  it('refuses a missing token budget', async () => {
    await expect(root.collectContext('.', {} as never)).rejects.toThrow(/tokenBudget/);
  });
});

describe('collectContext on paths it cannot read', () => {
  let looped: Awaited<ReturnType<typeof createTempDirectory>>;
  let loopedRoot: SafeRoot;

  beforeAll(async () => {
    looped = await createTempDirectory();
    await mkdir(join(looped.path, 'docs'));
    await writeFile(join(looped.path, 'docs', 'a.txt'), 'alpha\n');
    // A .gitignore that is a symlink to itself: reading it fails with ELOOP.
    await symlink('.gitignore', join(looped.path, 'docs', '.gitignore'));
    await symlink('loop', join(looped.path, 'loop'));
    loopedRoot = await openSafeRoot(looped.path, { estimator: characterEstimator });
  });

  afterAll(async () => {
    await looped.remove();
  });

  it('says when a .gitignore cannot be read, since its rules were not applied', async () => {
    const result = await loopedRoot.collectContext('docs', { tokenBudget: 100 });
    expect(result.files.map((file) => file.path)).toEqual(['docs/a.txt']);
    expect(result.omitted).toContainEqual({
      path: 'docs/.gitignore',
      reason: 'symlink_escape',
      message: expect.stringMatching(/rules were not applied/),
    });
  });

  it('reports a pattern it cannot look at with the reason, not as missing', async () => {
    const result = await loopedRoot.collectContext('loop/a.txt', { tokenBudget: 100 });
    expect(result.omitted).toEqual([
      expect.objectContaining({ path: 'loop/a.txt', reason: 'symlink_escape' }),
    ]);
  });
});
