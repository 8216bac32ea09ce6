import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from './file-checkpoint-store.js';
import { createTempDirectory } from './test-support/temp-dir.js';

let temp: Awaited<ReturnType<typeof createTempDirectory>>;

beforeAll(async () => {
  temp = await createTempDirectory();
});

afterAll(async () => {
  await temp.remove();
});

describe('createFileCheckpointStore', () => {
  it('saves, loads and deletes JSON by key', async () => {
    const store = createFileCheckpointStore<{ text: string }>({ directory: join(temp.path, 'basic') });
    await store.save('request-1', { text: 'partial' });
    expect(await store.load('request-1')).toEqual({ text: 'partial' });
    await store.delete('request-1');
    expect(await store.load('request-1')).toBeUndefined();
  });

  it('answers undefined and no keys before anything is saved', async () => {
    const store = createFileCheckpointStore({ directory: join(temp.path, 'never-created') });
    expect(await store.load('x')).toBeUndefined();
    expect(await store.keys()).toEqual([]);
    await store.delete('x');
  });

  it('keeps hostile keys inside its directory and gives them back unchanged', async () => {
    const directory = join(temp.path, 'hostile');
    const store = createFileCheckpointStore({ directory });
    const keys = [
      '../../escape',
      '/etc/passwd',
      '.',
      '..',
      'a/b\\c',
      'ключ 🦜',
      'x'.repeat(400),
      'x'.repeat(401),
    ];
    for (const [position, key] of keys.entries()) await store.save(key, position);
    for (const [position, key] of keys.entries()) expect(await store.load(key)).toBe(position);
    expect((await store.keys()).sort()).toEqual([...keys].sort());
    const names = await readdir(directory);
    expect(names).toHaveLength(keys.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_%~-]+\.json$/);
  });

  it('copies values through JSON, so later changes to the object are not saved', async () => {
    const store = createFileCheckpointStore<{ n: number }>({ directory: join(temp.path, 'copy') });
    const value = { n: 1 };
    await store.save('k', value);
    value.n = 2;
    expect(await store.load('k')).toEqual({ n: 1 });
  });

  it('writes each checkpoint as one JSON file holding its key', async () => {
    const directory = join(temp.path, 'format');
    await createFileCheckpointStore({ directory }).save('key', [1, 2]);
    expect(JSON.parse(await readFile(join(directory, 'key.json'), 'utf8'))).toEqual({
      key: 'key',
      value: [1, 2],
    });
  });

  it('refuses a missing directory option and empty keys', async () => {
    expect(() => createFileCheckpointStore({} as never)).toThrow(/directory/);
    const store = createFileCheckpointStore({ directory: join(temp.path, 'bad') });
    await expect(store.save('', 1)).rejects.toThrow(/key/);
  });
});
