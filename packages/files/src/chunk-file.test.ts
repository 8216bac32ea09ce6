import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createBus, type FileChunkEvent } from '@bulwark/core';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chunk } from './chunk.js';
import { chunkText } from './chunk-text.js';
import { chunkFile, openSafeRoot } from './safe-root.js';
import { expectExactProvenance } from './test-support/chunk-checks.js';
import { createCountingEstimator } from './test-support/estimators.js';
import { createTempDirectory } from './test-support/temp-dir.js';

let temp: Awaited<ReturnType<typeof createTempDirectory>>;

beforeAll(async () => {
  temp = await createTempDirectory();
});

afterAll(async () => {
  await temp.remove();
});

async function collect(iterable: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}

describe('chunkFile', () => {
  it('maps chunks of a multi-block file exactly to its bytes, across block boundaries', async () => {
    // Over 1 MiB blocks with multi-byte characters and CRLFs at every offset.
    const unit = 'Grüße, 世界! 🦜 line\r\n\nnext paragraph here. ';
    const text = unit.repeat(Math.ceil((2.5 * 1024 * 1024) / Buffer.byteLength(unit)));
    const path = join(temp.path, 'multi-block.txt');
    await writeFile(path, text);
    const estimator = createCountingEstimator();
    const chunks = await collect(chunkFile(path, { maxTokens: 2000, overlapTokens: 100, estimator }));
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(2000);
    expectExactProvenance(await readFile(path), chunks);
  });

  it('keeps provenance exact for random files with a BOM, as for strings', async () => {
    const estimator = createCountingEstimator();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('word ', 'ünï ', '🦜', '\r\n', '\n\n', '# h\n', '日本。', 'x'), {
          maxLength: 200,
        }),
        fc.integer({ min: 8, max: 60 }),
        fc.boolean(),
        async (parts, maxTokens, withBom) => {
          const text = parts.join('');
          const body = Buffer.from(text, 'utf8');
          const bytes = withBom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
          const path = join(temp.path, 'random.md');
          await writeFile(path, bytes);
          const chunks = await collect(chunkFile(path, { maxTokens, overlapTokens: 4, estimator }));
          for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
          expectExactProvenance(bytes, chunks, withBom ? 3 : 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the same chunks for a file as for its text', async () => {
    const text = '# Title\n\nSome prose. More prose.\n\n```js\ncode();\n```\n'.repeat(50);
    const path = join(temp.path, 'same.md');
    await writeFile(path, text);
    const options = { maxTokens: 80, overlapTokens: 10, estimator: createCountingEstimator() };
    const fromFile = await collect(chunkFile(path, options));
    expect(fromFile).toEqual(await chunkText(text, { ...options, format: 'markdown' }));
  });

  it('emits file:chunk for every chunk', async () => {
    const path = join(temp.path, 'events.txt');
    await writeFile(path, 'some words here\n'.repeat(100));
    const bus = createBus();
    const events: FileChunkEvent[] = [];
    bus.on('file:chunk', (event) => events.push(event));
    const root = await openSafeRoot(temp.path, { bus });
    const chunks = await collect(root.chunkFile('events.txt', { maxTokens: 50 }));
    expect(events.map((event) => event.index)).toEqual(chunks.map((chunk) => chunk.index));
    expect(events[0]).toEqual({
      path: 'events.txt',
      index: 0,
      tokenCount: chunks[0]?.tokenCount,
      byteStart: 0,
      byteEnd: chunks[0]?.byteEnd,
      lineStart: 1,
      lineEnd: chunks[0]?.lineEnd,
    });
  });

  it('stops with an abort error when its signal aborts', async () => {
    const path = join(temp.path, 'abort.txt');
    await writeFile(path, 'word '.repeat(10_000));
    const controller = new AbortController();
    const iterator = chunkFile(path, { maxTokens: 100, signal: controller.signal });
    await iterator.next();
    controller.abort();
    await expect(iterator.next()).rejects.toThrow(/abort/i);
  });

  it('closes the file when the caller stops early, with the next block already being read', async () => {
    const path = join(temp.path, 'early-stop.txt');
    await writeFile(path, 'a few words on a line\n'.repeat(50_000));
    const openBefore = (await readdir('/proc/self/fd')).length;
    for await (const chunk of chunkFile(path, { maxTokens: 50, estimator: createCountingEstimator() })) {
      expect(chunk.index).toBe(0);
      expect((await readdir('/proc/self/fd')).length).toBeGreaterThan(openBefore);
      break;
    }
    expect((await readdir('/proc/self/fd')).length).toBe(openBefore);
  });

  describe('memory held by what it hands out', () => {
    let bundle: string;
    let path: string;
    beforeAll(async () => {
      path = join(temp.path, 'retention.txt');
      const line = 'Plain words in a line of prose that goes on for a while.\n';
      await writeFile(path, line.repeat(Math.ceil(8e6 / line.length)));
      bundle = join(temp.path, 'retention-child.mjs');
      await build({
        entryPoints: [fileURLToPath(new URL('./test-support/retention-child.ts', import.meta.url))],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: bundle,
        logLevel: 'silent',
      });
    });
    const run = async (mode: 'chunks' | 'counter', every: number) => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        '--expose-gc',
        bundle,
        path,
        mode,
        String(every),
      ]);
      return JSON.parse(stdout) as { grownBytes: number; keptChars: number; kept: number };
    };

    // Held one in 40, each chunk of about 800 characters would keep a different window of the
    // file alive if it were a view into the window it was cut from.
    it('hands out chunk texts that do not keep the rest of the file in memory', async () => {
      const { grownBytes, keptChars, kept } = await run('chunks', 40);
      expect(kept).toBeGreaterThan(200);
      expect(grownBytes).toBeLessThan(keptChars * 4 + 1_000_000);
    });

    it('gives the counter texts whose slices do not keep the rest of the file in memory', async () => {
      const { grownBytes, kept } = await run('counter', 40);
      expect(kept).toBeGreaterThan(200);
      // A slice keeps at most the counted text (about 800 characters, 2 bytes each) alive.
      expect(grownBytes).toBeLessThan(kept * 4000 + 1_000_000);
    });
  });
});
