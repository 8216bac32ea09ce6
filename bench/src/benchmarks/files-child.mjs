/**
 * One measured run of the files benchmark, in its own process so its peak RSS is its own
 * (plain JavaScript, so no TypeScript loader inflates it).
 * Argument: JSON `{ mode, path, maxTokens, overlapTokens, timeLimitMs, verify }`. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { chunkFile } from '@bulwark/files';

const request = JSON.parse(process.argv[2] ?? '{}');
// js-tiktoken (the reference count) and LangChain are imported only by the runs that use them,
// and by Bulwark's runs only after their peak RSS is taken: js-tiktoken's module holds the rank
// files of every encoding, about 130 MB once cl100k is built.
let loadedEncoding;
const loadEncoding = async () => {
  const { getEncoding } = await import('js-tiktoken');
  loadedEncoding = getEncoding('cl100k_base');
  return loadedEncoding;
};
const encoding = () => {
  if (loadedEncoding === undefined) throw new Error('call loadEncoding() first');
  return loadedEncoding;
};
const countTokens = (text) => (text.length === 0 ? 0 : encoding().encode(text, 'all').length);
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
  // 'bulwark': the default estimator (@bulwark/tokens, exact cl100k_base).
  const options = { maxTokens: request.maxTokens, overlapTokens: request.overlapTokens };
  if (request.mode === 'bulwark-engine') options.estimator = charsEstimator;
  // With `verify`, the default estimator is wrapped to see how much text the chunker counts.
  let countedChars = 0;
  if (request.verify && request.mode === 'bulwark') {
    const { createTokenEstimator } = await import('@bulwark/tokens');
    const inner = createTokenEstimator();
    options.estimator = {
      ready: () => inner.ready(),
      countTokensSync: (text) => {
        countedChars += text.length;
        return inner.countTokensSync(text);
      },
      countTokens: (text) => inner.countTokens(text),
      estimateRequest: (estimateRequest) => inner.estimateRequest(estimateRequest),
    };
  }
  // With `verify`, every chunk is kept and recounted with js-tiktoken after the timed part.
  const kept = [];
  let chunks = 0;
  let overBudget = 0;
  let bytes = 0;
  let completed = true;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for await (const chunk of chunkFile(request.path, options)) {
    chunks += 1;
    if (chunk.tokenCount > request.maxTokens) overBudget += 1;
    if (request.verify) kept.push(chunk);
    bytes = chunk.byteEnd;
    if (performance.now() - started > request.timeLimitMs) {
      completed = false;
      break;
    }
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rss = peakRssMb();
  if (request.verify) await loadEncoding();
  let overlapMissing = 0;
  let mismatched = 0;
  let sourceChars = 0;
  for (const chunk of kept) {
    sourceChars +=
      chunk.text.length - Buffer.from(chunk.text).subarray(0, chunk.overlapBytes).toString().length;
    const reference = countTokens(chunk.text);
    if (reference !== chunk.tokenCount) mismatched += 1;
    if (reference > request.maxTokens && chunk.tokenCount <= request.maxTokens) overBudget += 1;
    if (chunk.index > 0 && isMissing(Buffer.from(chunk.text).subarray(0, chunk.overlapBytes).toString())) {
      overlapMissing += 1;
    }
  }
  return {
    bytes,
    ms,
    completed,
    chunks,
    overBudget,
    mismatched,
    cpuMs,
    countedPerSourceChar: sourceChars > 0 ? countedChars / sourceChars : undefined,
    overlapBoundaries: request.verify ? Math.max(0, kept.length - 1) : 0,
    overlapMissing,
    unlocatable: 0,
    replacementChars: 0,
    peakRssMb: rss,
  };
}

async function runLangChain() {
  const { RecursiveCharacterTextSplitter, TokenTextSplitter } = await import('@langchain/textsplitters');
  await loadEncoding();
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

async function runBaseline() {
  if (request.mode === 'baseline-tiktoken') {
    await loadEncoding();
    countTokens('hello world');
  } else {
    const { createTokenEstimator } = await import('@bulwark/tokens');
    const estimator = createTokenEstimator();
    await estimator.ready();
    estimator.countTokensSync('hello world');
  }
  return { peakRssMb: peakRssMb() };
}

const result = request.mode.startsWith('baseline')
  ? await runBaseline()
  : request.mode.startsWith('bulwark')
    ? await runBulwark()
    : await runLangChain();
process.stdout.write(`${JSON.stringify(result)}\n`);
