// Run in a child process with --expose-gc (bundled by the test): chunks the file at argv[2]
// with maxTokens 200 and reports how much the heap grew while holding, after a full collection,
// either the text of every argv[4]-th chunk (argv[3] = 'chunks') or, like a token counter with
// a piece cache, a 16-character slice of every argv[4]-th text the counter was given
// (argv[3] = 'counter').
import type { MessageRequestLike, RequestTokenEstimate } from '@bulwark/core';
import { chunkFile } from '../safe-root.js';

const [, , path = '', mode = 'chunks', every = '1'] = process.argv;
const keepEvery = Number(every);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const kept: string[] = [];
let calls = 0;
// Not a tokenizer: an exact count of ceil(chars / 4), so the child loads no encoding.
const count = (text: string): number => {
  calls += 1;
  if (mode === 'counter' && calls % keepEvery === 0) kept.push(text.slice(0, 16));
  return Math.ceil(text.length / 4);
};
const estimator = {
  ready: async () => undefined,
  countTokensSync: count,
  countTokens: async (text: string) => count(text),
  estimateRequest: async (_request: MessageRequestLike): Promise<RequestTokenEstimate> => {
    throw new Error('unused');
  },
};

gc();
const before = process.memoryUsage().heapUsed;
for await (const chunk of chunkFile(path, { maxTokens: 200, estimator })) {
  if (mode === 'chunks' && chunk.index % keepEvery === 0) kept.push(chunk.text);
}
gc();
const grownBytes = process.memoryUsage().heapUsed - before;
const keptChars = kept.reduce((sum, text) => sum + text.length, 0);
process.stdout.write(`${JSON.stringify({ grownBytes, keptChars, kept: kept.length })}\n`);
