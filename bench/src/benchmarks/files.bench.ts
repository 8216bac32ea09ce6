import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Benchmark, type BenchmarkReport, formatNumber, formatRatio } from '../harness.js';

const here = dirname(fileURLToPath(import.meta.url));

interface ChildRequest {
  mode: 'baseline' | 'bulwark' | 'bulwark-engine' | 'recursive' | 'token';
  path: string;
  maxTokens: number;
  overlapTokens: number;
  /** Stop after this long and report what was covered (only the Bulwark runs stream). */
  timeLimitMs: number;
}

interface ChildResult {
  bytes: number;
  ms: number;
  completed: boolean;
  chunks: number;
  overBudget: number;
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
    const compareBytes = quick ? 2e6 : 20e6;
    const exactTimeLimitMs = quick ? 10_000 : 60_000;
    try {
      const largeRows: string[][] = [];
      const engineRows: string[][] = [];
      for (const size of sizes) {
        const path = join(directory, `corpus-${size}.md`);
        writeCorpus(path, size);
        const exact = await runChild({
          mode: 'bulwark',
          path,
          maxTokens,
          overlapTokens,
          timeLimitMs: exactTimeLimitMs,
        });
        largeRows.push([
          `${formatNumber(megabytes(size))} MB`,
          exact.completed
            ? 'whole file'
            : `first ${formatNumber(megabytes(exact.bytes))} MB (time cap ${exactTimeLimitMs / 1000} s)`,
          formatNumber(throughput(exact), 2),
          formatNumber(exact.peakRssMb),
          formatNumber(exact.chunks),
          String(exact.overBudget),
        ]);
        const engine = await runChild({
          mode: 'bulwark-engine',
          path,
          maxTokens,
          overlapTokens,
          timeLimitMs: noTimeLimitMs,
        });
        engineRows.push([
          `${formatNumber(megabytes(size))} MB`,
          engine.completed ? 'whole file' : `first ${formatNumber(megabytes(engine.bytes))} MB`,
          formatNumber(throughput(engine), 1),
          formatNumber(engine.peakRssMb),
          formatNumber(engine.chunks),
        ]);
        rmSync(path);
      }

      const baseline = await runChild({
        mode: 'baseline',
        path: '',
        maxTokens,
        overlapTokens,
        timeLimitMs: 0,
      });
      const comparePath = join(directory, 'compare.md');
      writeCorpus(comparePath, compareBytes);
      const compared: Array<[string, ChildResult]> = [];
      for (const [label, mode] of [
        ['Bulwark `chunkFile`', 'bulwark'],
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
          }),
        ]);
      }
      const bulwarkThroughput = throughput(compared[0]![1]);
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

      return {
        title: '@bulwark/files: chunking large files to a token budget',
        method: [
          `Generated Markdown (prose, TypeScript code fences, Japanese/Korean/Chinese text and emoji), chunked to`,
          `${maxTokens} tokens with ${overlapTokens} tokens of overlap. Every run is a separate Node process, so`,
          'peak RSS (`process.resourceUsage().maxRSS`, taken right after the timed part) is its own; the',
          'figure includes Node itself (about 45 MB). Token counts are exact cl100k_base counts from',
          'js-tiktoken 1.0.21 (`@bulwark/tokens` was not yet on main, so its faster path is not measured',
          `here). Exact runs on the large files stop after ${exactTimeLimitMs / 1000} s and report what they`,
          'covered. The "engine" table swaps the tokenizer for an exact `ceil(chars / 4)` counter, which is',
          'not a tokenizer: it shows what reading, boundary search, provenance and overlap cost on their',
          `own. The comparison runs all three splitters on the same ${formatNumber(megabytes(compareBytes))} MB`,
          'file; a chunk is over budget when js-tiktoken counts more than the budget; overlap is missing',
          'when two neighbouring chunks share fewer than half the requested overlap tokens (LangChain',
          'chunks are located in the source with `indexOf`, as LangChain does for its own metadata);',
          'U+FFFD counts replacement characters the splitter introduced.',
        ].join('\n'),
        peers: ['@langchain/textsplitters 1.0.2', '@langchain/core 1.4.0', 'js-tiktoken 1.0.21'],
        tables: [
          {
            headers: [
              'file',
              'covered',
              'MB/s (exact cl100k)',
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
          'Goal ≥ 20 MB/s with exact budgets: not met with js-tiktoken as the counter; the exact runs are bound by the tokenizer (see the engine table for the chunker alone).',
          `A Node process that only loads js-tiktoken's cl100k_base ranks peaks at ${formatNumber(baseline.peakRssMb)} MB: that is the floor of every exact run (Bulwark's and LangChain's alike); the engine runs do not load it.`,
          'Goal peak RSS < 200 MB and flat as the file grows: compare the rows of each of the first two tables (the exact runs include the tokenizer floor above).',
        ],
      };
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  },
};

export default benchmark;
