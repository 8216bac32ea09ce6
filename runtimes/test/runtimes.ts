import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import type { ProbeReport } from '../src/probe.js';
import { type BuiltProbe, packageDirectory, probeDirectory } from './probe-build.js';

/** What one runtime printed or answered, and the report parsed from it (when it parses). */
export interface RuntimeRun {
  report: ProbeReport | undefined;
  /** Everything the runtime said (exit status, stdout, stderr), shown when an assertion fails. */
  output: string;
  ms: number;
}

export interface Runtime {
  name: 'node' | 'deno' | 'bun' | 'workerd';
  run(probe: BuiltProbe, mockUrl: string): Promise<RuntimeRun>;
}

const repositoryRoot = join(packageDirectory, '..');

/** A binary a devDependency's install script put in place; nothing is downloaded at test time. */
function installedBinary(relativePath: string): string {
  const file = join(packageDirectory, 'node_modules', relativePath);
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: run pnpm install (its postinstall is allowed in pnpm-workspace.yaml)`,
    );
  }
  return file;
}

/**
 * The environment of a child runtime: no API key, no update checks, no telemetry, no prompts,
 * and Deno's cache inside the build directory (nothing outside the checkout is written).
 */
function childEnvironment(): NodeJS.ProcessEnv {
  const { ANTHROPIC_API_KEY: _key, ANTHROPIC_BASE_URL: _url, ...environment } = process.env;
  return {
    ...environment,
    DENO_DIR: join(probeDirectory, 'deno-cache'),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
    DO_NOT_TRACK: '1',
    NO_COLOR: '1',
  };
}

function parseReport(text: string): ProbeReport | undefined {
  const line = text.trim().split('\n').at(-1);
  try {
    return line ? (JSON.parse(line) as ProbeReport) : undefined;
  } catch {
    // Not a report: the caller fails on `report === undefined` and shows the whole output.
    return undefined;
  }
}

const execFileAsync = promisify(execFile);

/** Runs a runtime to its end (a minute at most); a non-zero exit is reported, not thrown. */
async function runProcess(command: string, args: string[]): Promise<RuntimeRun> {
  const started = Date.now();
  const options = { cwd: packageDirectory, env: childEnvironment(), timeout: 60_000, maxBuffer: 16 << 20 };
  const result = await execFileAsync(command, args, options).then(
    ({ stdout, stderr }) => ({ exit: '0', stdout, stderr }),
    // execFile rejects on a non-zero exit, a signal or a missing binary, with the output so far.
    (error: { code?: number | string; signal?: string; stdout?: string; stderr?: string }) => ({
      exit: String(error.signal ?? error.code),
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? String(error),
    }),
  );
  const output = `$ ${[command, ...args].join(' ')}\nexit: ${result.exit}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  return {
    report: result.exit === '0' ? parseReport(result.stdout) : undefined,
    output,
    ms: Date.now() - started,
  };
}

const node: Runtime = {
  name: 'node',
  run: (probe, mockUrl) => runProcess(process.execPath, [probe.cliFile, mockUrl]),
};

const deno: Runtime = {
  name: 'deno',
  run: (probe, mockUrl) =>
    runProcess(installedBinary('deno/deno'), [
      'run',
      // The workspace's node_modules as installed by pnpm; `--cached-only` fails rather than fetch.
      '--node-modules-dir=manual',
      '--cached-only',
      '--no-config',
      `--allow-net=${new URL(mockUrl).host}`,
      `--allow-read=${repositoryRoot}`,
      // The SDK's constructor reads its variables (ANTHROPIC_*, ...) through Deno.env.
      '--allow-env',
      probe.cliFile,
      mockUrl,
    ]),
};

const bun: Runtime = {
  name: 'bun',
  run: (probe, mockUrl) =>
    runProcess(installedBinary('bun/bin/bun.exe'), ['--no-install', probe.cliFile, mockUrl]),
};

/** workerd through miniflare's API: the bundled Worker, no `nodejs_compat`, one request. */
const workerd: Runtime = {
  name: 'workerd',
  async run(probe, mockUrl) {
    const started = Date.now();
    const nodeImports = probe.workerNodeImports.length
      ? `\nnode: imports in the Worker bundle:\n${probe.workerNodeImports.join('\n')}`
      : '';
    let miniflare: Miniflare | undefined;
    try {
      // One module given whole, so miniflare does not resolve its imports itself: whatever the
      // bundle still imports is for workerd to accept or refuse.
      miniflare = new Miniflare({
        modules: [{ type: 'ESModule', path: 'worker.js', contents: probe.workerScript }],
        compatibilityDate: '2026-07-01',
        bindings: { MOCK_URL: mockUrl },
      });
      const response = await miniflare.dispatchFetch('http://probe.local/');
      const body = await response.text();
      const output = `workerd (miniflare) answered ${response.status}:\n${body}${nodeImports}`;
      return { report: response.ok ? parseReport(body) : undefined, output, ms: Date.now() - started };
    } catch (error) {
      const output = `workerd (miniflare) failed: ${error instanceof Error ? error.stack : String(error)}${nodeImports}`;
      return { report: undefined, output, ms: Date.now() - started };
    } finally {
      // After a failed start, dispose rethrows the startup error, which the output already has.
      await miniflare?.dispose().catch(() => undefined);
    }
  },
};

export const runtimes: Runtime[] = [node, deno, bun, workerd];
