import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointStore } from '@bulwark/core';
import { defineOptions, expectString, invalidArgument, option, parseOptions } from '@bulwark/core/internal';
import { FileAccessError } from './file-access-error.js';
import { errnoCode } from './internal/errno.js';
import { writeFileAtomic } from './write-file-atomic.js';

export interface FileCheckpointStoreOptions {
  /** The directory that holds one JSON file per key; created on first save. */
  directory: string;
}

const fileCheckpointStoreOptions = defineOptions<FileCheckpointStoreOptions>()({
  // Required: checked again when left out.
  directory: option.string(),
});

/** Keys longer than this (encoded) are shortened with a hash; the full key stays inside the file. */
const maxEncodedLength = 180;

/**
 * Encodes a key into a file name that is safe on every file system: letters, digits, `-` and
 * `_` stay, every other UTF-8 byte becomes `%XX` (so `.`, `/` and `..` can never form a path).
 */
function fileNameOf(key: string): string {
  let encoded = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const character = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9_-]/.test(character)
      ? character
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded.length > maxEncodedLength) {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
    encoded = `${encoded.slice(0, 120)}~${hash}`;
  }
  return `${encoded}.json`;
}

function keyOfFileName(name: string): string | undefined {
  if (!name.endsWith('.json') || name.startsWith('.') || name.includes('~')) return undefined;
  const encoded = name.slice(0, -'.json'.length);
  const bytes: number[] = [];
  for (let index = 0; index < encoded.length; index += 1) {
    if (encoded[index] === '%') {
      bytes.push(Number.parseInt(encoded.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(encoded.charCodeAt(index));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

interface StoredCheckpoint {
  key: string;
  value: unknown;
}

/**
 * A `CheckpointStore` on disk: each key is one JSON file in `directory`, written with
 * `writeFileAtomic`, so a crash leaves the old checkpoint or the new one, never half of one.
 */
export function createFileCheckpointStore<TValue = unknown>(
  options: FileCheckpointStoreOptions,
): CheckpointStore<TValue> {
  const settings = parseOptions('options', options, fileCheckpointStoreOptions);
  const directory = expectString('options.directory', settings.directory);
  const checkKey = (key: unknown): string => expectString('key', key);

  const read = async (name: string): Promise<StoredCheckpoint | undefined> => {
    let json: string;
    try {
      json = await readFile(join(directory, name), 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(json) as StoredCheckpoint;
    } catch (error) {
      throw new FileAccessError({
        path: join(directory, name),
        reason: 'encoding',
        message: `The checkpoint file \`${name}\` is not valid JSON`,
        cause: error,
      });
    }
  };

  return {
    async save(key, value) {
      const json = JSON.stringify({ key: checkKey(key), value } satisfies StoredCheckpoint);
      if (json === undefined) throw invalidArgument('value', 'JSON-serialisable', value);
      await mkdir(directory, { recursive: true });
      await writeFileAtomic(join(directory, fileNameOf(key)), json);
    },
    async load(key) {
      const stored = await read(fileNameOf(checkKey(key)));
      return stored === undefined || stored.key !== key ? undefined : (stored.value as TValue);
    },
    async delete(key) {
      try {
        await unlink(join(directory, fileNameOf(checkKey(key))));
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
      }
    },
    async keys() {
      let names: string[];
      try {
        names = await readdir(directory);
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') return [];
        throw error;
      }
      const keys: string[] = [];
      for (const name of names.sort()) {
        if (!name.endsWith('.json') || name.startsWith('.')) continue;
        const key = keyOfFileName(name) ?? (await read(name))?.key;
        if (key !== undefined) keys.push(key);
      }
      return keys;
    },
  };
}
