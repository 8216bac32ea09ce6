import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Benchmark, type BenchmarkReport, formatNumber, formatRatio } from '../harness.js';

const here = dirname(fileURLToPath(import.meta.url));

interface ChildRequest {
  mode: 'baseline-tokens' | 'baseline-tiktoken' | 'bulwark' | 'bulwark-engine' | 'recursive' | 'token';
  path: string;
  maxTokens: number;
  overlapTokens: number;
  /** Stop after this long and report what was covered (only the Bulwark runs stream). */
  timeLimitMs: number;
  /** Bulwark runs: keep every chunk and recount it with js-tiktoken after the timed part. */
  verify?: boolean;
}

interface ChildResult {
  bytes: number;
  ms: number;
  completed: boolean;
  chunks: number;
  overBudget: number;
  /** Bulwark runs: CPU time (user + system, all threads) of the timed part. */
  cpuMs?: number;
  /** Bulwark runs with `verify`: chunks whose tokenCount differs from js-tiktoken's count. */
  mismatched?: number;
  /** Bulwark runs with `verify`: characters given to the estimator per character of the source. */
  countedPerSourceChar?: number;
  overlapBoundaries: number;
  overlapMissing: number;
  unlocatable: number;
  replacementChars: number;
  peakRssMb: number;
}

const noTimeLimitMs = 24 * 60 * 60 * 1000;
const benchDirectory = join(here, '..', '..');

/** A deterministic mix of Markdown prose, source code and CJK/emoji text, about `bytes` long. */
function writeCorpus(path: string, bytes: number): void {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const words =
    'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(
      ' ',
    );
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const sentence = () => {
    const length = 6 + Math.floor(random() * 14);
    const parts = Array.from({ length }, () => pick(words));
    parts[0] = parts[0]!.charAt(0).toUpperCase() + parts[0]!.slice(1);
    return `${parts.join(' ')}${pick(['.', '.', '.', '?', '!'])}`;
  };
  const paragraph = () => Array.from({ length: 3 + Math.floor(random() * 5) }, sentence).join(' ');
  const code = () => {
    const name = `${pick(words)}${pick(words)}`;
    return `\`\`\`ts\nexport function ${name}(input: number): number {\n  const ${pick(words)}Value = input * ${Math.floor(random() * 100)};\n  if (${pick(words)}Value > 10) {\n    return ${pick(words)}Value - 1;\n  }\n  return input;\n}\n\`\`\``;
  };
  const cjk = () =>
    `東京の天気は晴れです。今日は${pick(['とても', '少し', 'かなり'])}暑い日でした。🦜🎉 데이터를 처리합니다. 你好，世界！`;
  const section = () =>
    [`## ${sentence()}`, paragraph(), paragraph(), code(), cjk(), paragraph()].join('\n\n').concat('\n\n');
  const file = openSync(path, 'w');
  let written = 0;
  while (written < bytes) {
    let block = '';
    while (block.length < 1 << 20) block += section();
    const buffer = Buffer.from(block, 'utf8');
    writeSync(file, buffer);
    written += buffer.length;
  }
  closeSync(file);
}

/**
 * Plain prose with a different made-up 16-letter word about every 3.5 KB (one per chunk or so):
 * the worst case for a token counter that caches pieces, since every chunk brings a new one.
 */
function writeRareWordCorpus(path: string, bytes: number): void {
  let seed = 7;
  const random = () => {
    seed = (seed * 48_271) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const words =
    'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first'.split(
      ' ',
    );
  const file = openSync(path, 'w');
  let written = 0;
  let sinceRare = 0;
  while (written < bytes) {
    let block = '';
    while (block.length < 1 << 20) {
      let line = '';
      for (let word = 0; word < 12; word += 1) line += `${words[Math.floor(random() * words.length)]} `;
      if (sinceRare >= 3500) {
        sinceRare = 0;
        for (let letter = 0; letter < 16; letter += 1)
          line += String.fromCharCode(97 + Math.floor(random() * 26));
        line += ' ';
      }
      line += random() < 0.2 ? 'end.\n\n' : 'end.\n';
      sinceRare += line.length;
      block += line;
    }
    const buffer = Buffer.from(block, 'utf8');
    writeSync(file, buffer);
    written += buffer.length;
  }
  closeSync(file);
}

function runChild(request: ChildRequest): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'files-child.mjs'), JSON.stringify(request)], {
      cwd: benchDirectory,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`files-child exited with ${code}`));
      else resolve(JSON.parse(output) as ChildResult);
    });
  });
}

const megabytes = (bytes: number) => bytes / 1_000_000;
const throughput = (result: ChildResult) => megabytes(result.bytes) / (result.ms / 1000);

const benchmark: Benchmark = {
  id: 'files',
  async run({ quick }): Promise<BenchmarkReport> {
    const directory = mkdtempSync(join(tmpdir(), 'bulwark-files-bench-'));
    const maxTokens = 1000;
    const overlapTokens = 100;
    const sizes = quick ? [10e6, 40e6] : [100e6, 1000e6];
    const rareBytes = quick ? 10e6 : 100e6;
    const compareBytes = quick ? 2e6 : 20e6;
    const exactTimeLimitMs = quick ? 10_000 : 120_000;
    try {
      const largeRows: string[][] = [];
      const engineRows: string[][] = [];
      const exactRuns: ChildResult[] = [];
      const files: Array<[string, number, (path: string, bytes: number) => void]> = [
        ...sizes.map((size) => ['Markdown', size, writeCorpus] as [string, number, typeof writeCorpus]),
        ['prose, a new 16-letter word every 3.5 KB', rareBytes, writeRareWordCorpus],
      ];
      for (const [kind, size, write] of files) {
        const path = join(directory, `corpus-${size}.md`);
        write(path, size);
        const exact = await runChild({
          mode: 'bulwark',
          path,
          maxTokens,
          overlapTokens,
          timeLimitMs: exactTimeLimitMs,
        });
        if (kind === 'Markdown') exactRuns.push(exact);
        largeRows.push([
          `${kind}, ${formatNumber(megabytes(size))} MB`,
          exact.completed
            ? 'whole file'
            : `first ${formatNumber(megabytes(exact.bytes))} MB (time cap ${exactTimeLimitMs / 1000} s)`,
          formatNumber(throughput(exact), 1),
          formatNumber(megabytes(exact.bytes) / ((exact.cpuMs ?? Number.NaN) / 1000), 1),
          formatNumber(exact.peakRssMb),
          formatNumber(exact.chunks),
          String(exact.overBudget),
        ]);
        if (kind === 'Markdown') {
          const engine = await runChild({
            mode: 'bulwark-engine',
            path,
            maxTokens,
            overlapTokens,
            timeLimitMs: noTimeLimitMs,
          });
          engineRows.push([
            `${kind}, ${formatNumber(megabytes(size))} MB`,
            engine.completed ? 'whole file' : `first ${formatNumber(megabytes(engine.bytes))} MB`,
            formatNumber(throughput(engine), 1),
            formatNumber(engine.peakRssMb),
            formatNumber(engine.chunks),
          ]);
        }
        rmSync(path);
      }

      const baseline = (mode: 'baseline-tokens' | 'baseline-tiktoken') =>
        runChild({ mode, path: '', maxTokens, overlapTokens, timeLimitMs: 0 });
      const tokensFloor = await baseline('baseline-tokens');
      const tiktokenFloor = await baseline('baseline-tiktoken');
      const comparePath = join(directory, 'compare.md');
      writeCorpus(comparePath, compareBytes);
      const compared: Array<[string, ChildResult]> = [];
      for (const [label, mode] of [
        ['Bulwark `chunkFile` (default estimator: @bulwark/tokens)', 'bulwark'],
        ['LangChain `RecursiveCharacterTextSplitter` (js-tiktoken length)', 'recursive'],
        ['LangChain `TokenTextSplitter` (local cl100k tokenizer)', 'token'],
      ] as const) {
        compared.push([
          label,
          await runChild({
            mode,
            path: comparePath,
            maxTokens,
            overlapTokens,
            timeLimitMs: noTimeLimitMs,
            verify: true,
          }),
        ]);
      }
      const bulwarkCompared = compared[0]![1];
      const bulwarkThroughput = throughput(bulwarkCompared);
      const compareRows = compared.map(([label, result]) => [
        label,
        formatNumber(throughput(result), 2),
        formatRatio(throughput(result), bulwarkThroughput),
        formatNumber(result.peakRssMb),
        formatNumber(result.chunks),
        String(result.overBudget),
        `${result.overlapMissing} of ${result.overlapBoundaries}${result.unlocatable > 0 ? ` (${result.unlocatable} chunks not found in the source)` : ''}`,
        String(result.replacementChars),
      ]);

      const [small, large] = exactRuns;
      const largeSize = `${formatNumber(megabytes(sizes[1] ?? 0))} MB`;
      const largeCovered = large?.completed
        ? `the whole ${largeSize} file`
        : `the first ${formatNumber(megabytes(large?.bytes ?? 0))} MB of the ${largeSize} file`;
      const rssValues = exactRuns.map((run) => run.peakRssMb);
      return {
        title: '@bulwark/files: chunking large files to a token budget',
        method: [
          `Generated Markdown (prose, TypeScript code fences, Japanese/Korean/Chinese text and emoji), chunked to`,
          `${maxTokens} tokens with ${overlapTokens} tokens of overlap with the default estimator (\`@bulwark/tokens\`,`,
          'exact cl100k_base counts through its synchronous path). Every run is a separate Node process, so',
          'peak RSS (`process.resourceUsage().maxRSS`, taken right after the timed part) is its own; the',
          'figure includes Node itself and the loaded encoding (see the notes). MB/s is wall time on a',
          'shared 2-core machine where other work runs at the same time, so it varies from run to run; MB',
          'per CPU second (user + system time of the process, all threads) varies less.',
          `Runs on the large files stop after ${exactTimeLimitMs / 1000} s and say what they`,
          'covered. The last row of the first table is plain prose with a new made-up word in nearly every',
          'chunk (see the notes). The "engine" table swaps the tokenizer for an exact `ceil(chars / 4)`',
          'counter, which is not a tokenizer: it shows what reading, boundary search, provenance and overlap',
          `cost on their own. The comparison runs all three splitters on the same ${formatNumber(megabytes(compareBytes))} MB`,
          'file; every chunk is recounted with js-tiktoken 1.0.21 after the timed part: a chunk is over',
          'budget when js-tiktoken counts more than the budget; overlap is missing when two neighbouring',
          'chunks share fewer than half the requested overlap tokens (LangChain chunks are located in the',
          'source with `indexOf`, as LangChain does for its own metadata); U+FFFD counts replacement',
          "characters the splitter introduced. Bulwark's timed part includes loading its encoding;",
          "LangChain's starts after js-tiktoken is loaded. In the comparison Bulwark's run keeps every",
          'chunk for the recount, as the LangChain splitters return all of theirs, so its peak RSS and',
          'speed there differ from the large-file rows, where chunks are dropped as they come.',
        ].join('\n'),
        peers: [
          '@langchain/textsplitters 1.0.2',
          '@langchain/core 1.4.0',
          'js-tiktoken 1.0.21',
          '@bulwark/tokens (this repository)',
        ],
        tables: [
          {
            headers: [
              'file',
              'covered',
              'MB/s (exact cl100k)',
              'MB per CPU second',
              'peak RSS MB',
              'chunks',
              'chunks over budget',
            ],
            rows: largeRows,
          },
          {
            headers: ['file', 'covered', 'MB/s (engine only)', 'peak RSS MB', 'chunks'],
            rows: engineRows,
          },
          {
            headers: [
              'splitter',
              'MB/s',
              'vs Bulwark',
              'peak RSS MB',
              'chunks',
              'over budget',
              'overlap missing',
              'U+FFFD introduced',
            ],
            rows: compareRows,
          },
        ],
        notes: [
          `Goal ≥ 20 MB/s with exact budgets: ${throughput(large ?? small!) >= 20 ? 'met' : 'not met'} here, ${formatNumber(throughput(large ?? small!), 1)} MB/s over ${largeCovered} (${formatNumber(throughput(small!), 1)} MB/s on ${formatNumber(megabytes(sizes[0] ?? 0))} MB). Counting is most of the time: on the ${formatNumber(megabytes(compareBytes))} MB file the chunker gave the counter ${formatNumber(bulwarkCompared.countedPerSourceChar ?? Number.NaN, 2)} characters per character of input (each chunk once, so its overlap twice, plus the counts that place cuts and overlaps).`,
          `Goal peak RSS < 200 MB and flat as the file grows, on the Markdown files: ${Math.max(...rssValues) < 200 ? 'met' : 'not met'} (${rssValues.map((value) => `${formatNumber(value)} MB`).join(' and ')}). A Node process that only loads @bulwark/tokens' cl100k_base peaks at ${formatNumber(tokensFloor.peakRssMb)} MB, one that loads js-tiktoken's at ${formatNumber(tiktokenFloor.peakRssMb)} MB.`,
          'The prose row shows what remains: @bulwark/tokens caches counts of pieces up to 48 characters under keys that V8 makes slices of the counted text, so a piece of 13 or more characters seen for the first time keeps the text it came from alive until the cache (65,536 pieces) starts over. The chunker hands the counter detached copies, so each such piece holds one chunk (a few KB) rather than a window of the file, but with a new long word in nearly every chunk that is still up to 65,536 chunks. Copying a piece when it enters the cache, in @bulwark/tokens, removes it.',
          `Exactness: of ${formatNumber(bulwarkCompared.chunks)} Bulwark chunks on the ${formatNumber(megabytes(compareBytes))} MB file, ${bulwarkCompared.mismatched ?? 0} had a tokenCount different from js-tiktoken's count of their text.`,
        ],
      };
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  },
};

export default benchmark;
