import { cpus, freemem, totalmem } from 'node:os';

/** One table of a benchmark report: figures for Bulwark and its peers, measured in one run. */
export interface BenchmarkTable {
  /** Column headings, such as `['library', 'MB/s', 'ratio']`. */
  headers: string[];
  rows: string[][];
}

/** What a benchmark hands back to the runner, which writes it into BENCHMARKS.md. */
export interface BenchmarkReport {
  title: string;
  /** How it was measured: inputs, repetitions, what a ratio is relative to. */
  method: string;
  /** The peers measured beside Bulwark, with versions. */
  peers: string[];
  tables: BenchmarkTable[];
  /** Findings worth a sentence: goals met or missed. */
  notes?: string[];
  /** Set by the runner: when and where this report was measured (runs of a subset keep older reports). */
  measuredAt?: string;
  machine?: string;
}

export interface BenchmarkContext {
  /** Smaller inputs and fewer repetitions (`pnpm bench --quick`), for a quick look. */
  quick: boolean;
}

/** A benchmark module's default export. */
export interface Benchmark {
  /** Short id, used by `pnpm bench <id>` to run one. */
  id: string;
  run(context: BenchmarkContext): Promise<BenchmarkReport>;
}

/** The machine a run happened on, for the report header. */
export function describeMachine(): string {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? 'unknown CPU';
  const gibibytes = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);
  return `${processors.length} × ${model}, ${gibibytes(totalmem())} GiB RAM (${gibibytes(freemem())} free), Node ${process.version}, ${process.platform}-${process.arch}`;
}

export interface Measurement {
  /** Median duration of one repetition. */
  medianMs: number;
  /** Every repetition's duration. */
  samplesMs: number[];
}

/**
 * Runs `task` `warmup` times unmeasured, then `repetitions` times, and reports the median.
 * Peers are measured with the same function in the same process, so ratios compare like with like.
 */
export async function measure(
  task: () => unknown | Promise<unknown>,
  { warmup = 1, repetitions = 5 }: { warmup?: number; repetitions?: number } = {},
): Promise<Measurement> {
  for (let index = 0; index < warmup; index += 1) await task();
  const samplesMs: number[] = [];
  for (let index = 0; index < repetitions; index += 1) {
    const start = performance.now();
    await task();
    samplesMs.push(performance.now() - start);
  }
  return { medianMs: median(samplesMs), samplesMs };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `value / baseline` as `1.23×`. */
export function formatRatio(value: number, baseline: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return 'n/a';
  const ratio = value / baseline;
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** A number with thousands separators and `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Renders a table as GitHub Markdown. */
export function renderTable({ headers, rows }: BenchmarkTable): string {
  const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** Renders the whole BENCHMARKS.md. */
export function renderReport(reports: readonly BenchmarkReport[], machine: string, date: Date): string {
  const sections = [
    '# Benchmarks',
    '',
    'Written by `pnpm bench`; do not edit by hand. Every figure below comes from one run, with',
    'Bulwark and the peers a user would otherwise pick measured side by side in the same process',
    '(or the same machine, for multi-process runs), and is stated as a ratio where a comparison is',
    'meant. Timings vary between machines; ratios travel better than absolute numbers.',
    '',
    `- Machine of the latest run: ${machine}`,
    `- Latest run: ${date.toISOString()}`,
    '',
  ];
  if (reports.length === 0) {
    sections.push('No benchmarks yet: they arrive with the packages they measure.', '');
  }
  for (const report of reports) {
    sections.push(`## ${report.title}`, '', report.method, '');
    if (report.measuredAt)
      sections.push(`_Measured ${report.measuredAt} on ${report.machine ?? machine}._`, '');
    if (report.peers.length > 0) sections.push(`Peers: ${report.peers.join(', ')}.`, '');
    for (const table of report.tables) sections.push(renderTable(table), '');
    for (const note of report.notes ?? []) sections.push(`- ${note}`);
    if ((report.notes ?? []).length > 0) sections.push('');
  }
  return sections.join('\n');
}
