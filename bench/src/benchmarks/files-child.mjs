/**
 * One measured run of the files benchmark, in its own process so its peak RSS is its own
 * (plain JavaScript, so no TypeScript loader inflates it).
 * Argument: JSON `{ mode, path, maxTokens, overlapTokens, timeLimitMs }`. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { chunkFile } from '@bulwark/files';
import { RecursiveCharacterTextSplitter, TokenTextSplitter } from '@langchain/textsplitters';
import { getEncoding } from 'js-tiktoken';

const request = JSON.parse(process.argv[2] ?? '{}');
// Loaded only by the runs that count with it: the cl100k ranks alone take about 130 MB of RSS.
let loadedEncoding;
const encoding = () => {
  loadedEncoding ??= getEncoding('cl100k_base');
  return loadedEncoding;
};
const countTokens = (text) => (text.length === 0 ? 0 : encoding().encode(text, 'all').length);
const exactEstimator = {
  ready: async () => undefined,
  countTokensSync: countTokens,
  countTokens: async (text) => countTokens(text),
  estimateRequest: async () => {
    throw new Error('unused');
  },
};
// Not a tokenizer: counts ceil(chars / 4), exactly, to show what the chunker itself costs.
const charsEstimator = {
  ready: async () => undefined,
  countTokensSync: (text) => Math.ceil(text.length / 4),
  countTokens: async (text) => Math.ceil(text.length / 4),
  estimateRequest: async () => {
    throw new Error('unused');
  },
};
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
const isMissing = (overlapText) => countTokens(overlapText) < request.overlapTokens / 2;

async function runBulwark() {
  const estimator = request.mode === 'bulwark' ? exactEstimator : charsEstimator;
  const overlaps = [];
  let chunks = 0;
  let overBudget = 0;
  let bytes = 0;
  let completed = true;
  const started = performance.now();
  for await (const chunk of chunkFile(request.path, {
    maxTokens: request.maxTokens,
    overlapTokens: request.overlapTokens,
    estimator,
  })) {
    chunks += 1;
    if (chunk.tokenCount > request.maxTokens) overBudget += 1;
    if (chunk.index > 0 && request.mode === 'bulwark') {
      overlaps.push(Buffer.from(chunk.text).subarray(0, chunk.overlapBytes).toString());
    }
    bytes = chunk.byteEnd;
    if (performance.now() - started > request.timeLimitMs) {
      completed = false;
      break;
    }
  }
  const ms = performance.now() - started;
  const rss = peakRssMb();
  return {
    bytes,
    ms,
    completed,
    chunks,
    overBudget,
    overlapBoundaries: overlaps.length,
    overlapMissing: overlaps.filter(isMissing).length,
    unlocatable: 0,
    replacementChars: 0,
    peakRssMb: rss,
  };
}

async function runLangChain() {
  const started = performance.now();
  const source = readFileSync(request.path, 'utf8');
  let splits;
  if (request.mode === 'recursive') {
    const splitter = new RecursiveCharacterTextSplitter({
      chunkSize: request.maxTokens,
      chunkOverlap: request.overlapTokens,
      lengthFunction: countTokens,
    });
    splits = await splitter.splitText(source);
  } else {
    const splitter = new TokenTextSplitter({
      encodingName: 'cl100k_base',
      chunkSize: request.maxTokens,
      chunkOverlap: request.overlapTokens,
    });
    // A local tokenizer, so the splitter never downloads its rank files.
    splitter.tokenizer = encoding();
    splits = await splitter.splitText(source);
  }
  const ms = performance.now() - started;
  const rss = peakRssMb();
  let overBudget = 0;
  let replacementChars = 0;
  let overlapMissing = 0;
  let unlocatable = 0;
  let previous;
  for (const split of splits) {
    if (countTokens(split) > request.maxTokens) overBudget += 1;
    replacementChars += split.split('\uFFFD').length - 1;
    const start = source.indexOf(split, previous ? previous.start + 1 : 0);
    if (start < 0) {
      unlocatable += 1;
      previous = undefined;
      continue;
    }
    if (previous && isMissing(source.slice(start, Math.max(start, previous.end)))) overlapMissing += 1;
    previous = { start, end: start + split.length };
  }
  return {
    bytes: Buffer.byteLength(source),
    ms,
    completed: true,
    chunks: splits.length,
    overBudget,
    overlapBoundaries: Math.max(0, splits.length - 1 - unlocatable),
    overlapMissing,
    unlocatable,
    replacementChars: replacementChars - (source.split('\uFFFD').length - 1),
    peakRssMb: rss,
  };
}

const result =
  request.mode === 'baseline'
    ? { ...(encoding() && {}), peakRssMb: peakRssMb() }
    : request.mode.startsWith('bulwark')
      ? await runBulwark()
      : await runLangChain();
process.stdout.write(`${JSON.stringify(result)}\n`);
