/**
 * `pnpm bench [--quick] [id ...]`: runs every benchmark in `src/benchmarks/` (or the named
 * ones) one after another and rewrites BENCHMARKS.md at the repository root. Running a subset
 * keeps the other sections as they were, so a partial run never erases figures;
 * `--render-only` measures nothing and rewrites the file from `bench/results.json`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, type BenchmarkReport, describeMachine, renderReport } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const reportPath = join(here, '..', '..', 'BENCHMARKS.md');
const savedReportsPath = join(here, '..', 'results.json');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// `--render-only` rewrites BENCHMARKS.md from results.json without measuring (after a merge).
const renderOnly = args.includes('--render-only');
const only = args.filter((arg) => !arg.startsWith('--'));

const files = readdirSync(join(here, 'benchmarks'))
  .filter((file) => file.endsWith('.bench.ts'))
  .sort();

let saved: Record<string, BenchmarkReport> = {};
try {
  saved = JSON.parse(readFileSync(savedReportsPath, 'utf8')) as Record<string, BenchmarkReport>;
} catch {
  saved = {};
}

const known = new Set<string>();
for (const file of files) {
  const benchmark = (await import(pathToFileURL(join(here, 'benchmarks', file)).href)).default as Benchmark;
  known.add(benchmark.id);
  if (renderOnly || (only.length > 0 && !only.includes(benchmark.id))) continue;
  console.log(`running ${benchmark.id}${quick ? ' (quick)' : ''} ...`);
  const started = performance.now();
  const report = await benchmark.run({ quick });
  saved[benchmark.id] = { ...report, measuredAt: new Date().toISOString(), machine: describeMachine() };
  console.log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
for (const id of only) {
  if (!known.has(id)) {
    console.error(`no benchmark named ${id}; known: ${[...known].join(', ') || 'none'}`);
    process.exit(1);
  }
}
for (const id of Object.keys(saved)) if (!known.has(id)) delete saved[id];

const ordered = [...known].filter((id) => saved[id]).map((id) => saved[id]!);
writeFileSync(savedReportsPath, `${JSON.stringify(saved, null, 2)}\n`);
writeFileSync(reportPath, renderReport(ordered, describeMachine(), new Date()));
console.log(`wrote ${reportPath}`);
