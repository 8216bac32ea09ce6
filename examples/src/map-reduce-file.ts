/**
 * Chunk a large file and summarise it within the limits (map-reduce). The file is cut into
 * chunks of at most 1,500 tokens at paragraph boundaries, read block by block in bounded
 * memory; each chunk is summarised (the limiter paces the calls), then the summaries are
 * summarised. Every chunk says where it came from (lines and bytes).
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/map-reduce-file.ts [path]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createClient } from 'bulwark/node';
import { openEnvironment } from './support/environment.js';

function writeSampleBook(directory: string): string {
  const words =
    'river stone lantern harbour winter signal keeper distant quiet morning tide rope window'.split(' ');
  const paragraphs: string[] = [];
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let chapter = 1; chapter <= 12; chapter += 1) {
    paragraphs.push(`Chapter ${chapter}`);
    for (let paragraph = 0; paragraph < 40; paragraph += 1) {
      const sentences: string[] = [];
      for (let sentence = 0; sentence < 5; sentence += 1) {
        const length = 8 + Math.floor(next() * 10);
        const sentenceWords = Array.from({ length }, () => words[Math.floor(next() * words.length)]);
        sentences.push(`${sentenceWords.join(' ').replace(/^./, (first) => first.toUpperCase())}.`);
      }
      paragraphs.push(sentences.join(' '));
    }
  }
  const path = join(directory, 'book.txt');
  writeFileSync(path, `${paragraphs.join('\n\n')}\n`);
  return path;
}

const givenPath = process.argv[2];
const scratch = givenPath ? undefined : mkdtempSync(join(tmpdir(), 'bulwark-map-reduce-'));
const path = givenPath ? resolve(givenPath) : writeSampleBook(scratch!);

const environment = await openEnvironment({ seed: 13, outputTokens: { min: 40, max: 90 } });
console.log(environment.describe());
const client = createClient({
  ...environment.clientOptions,
  fileRoot: dirname(path),
  limits: { requestsPerMinute: 120, outputTokensPerMinute: 20_000 },
});

try {
  const chunks = [];
  for await (const chunk of client.chunkFile(basename(path), { maxTokens: 1_500 })) chunks.push(chunk);
  const tokenCounts = chunks.map((chunk) => chunk.tokenCount);
  console.log(
    `${basename(path)}: ${chunks.length} chunks of ${Math.min(...tokenCounts)}–${Math.max(...tokenCounts)} tokens (budget 1500)`,
  );
  for (const chunk of chunks.slice(0, 3)) {
    console.log(
      `  chunk ${chunk.index}: lines ${chunk.lineStart}–${chunk.lineEnd}, bytes ${chunk.byteStart}–${chunk.byteEnd}, ${chunk.tokenCount} tokens`,
    );
  }

  const summaries = await Promise.all(
    chunks.map((chunk) =>
      client.getCompletion(`Summarise this part of a book in two sentences:\n\n${chunk.text}`, {
        maxTokens: 200,
      }),
    ),
  );
  console.log(`map: ${summaries.length} summaries`);
  const finalSummary = await client.getCompletion(
    `These are summaries of consecutive parts of a book. Summarise the whole book in one paragraph:\n\n${summaries.map((summary, index) => `Part ${index + 1}: ${summary}`).join('\n')}`,
    { maxTokens: 400 },
  );
  console.log(`reduce: ${finalSummary.slice(0, 160)}...`);
  const totals = Object.values(client.usage());
  console.log(
    `calls: ${totals.reduce((sum, model) => sum + model.requests, 0)}, 429s: ${totals.reduce((sum, model) => sum + model.rateLimited, 0)}`,
  );
} finally {
  await client.close();
  await environment.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
