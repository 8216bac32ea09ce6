import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDirectory = join(packageDirectory, 'src');

/** Where the compiled probe goes: inside the package, so its imports resolve from its node_modules. */
export const probeDirectory = join(packageDirectory, '.probe');

export interface BuiltProbe {
  /** `cli.js`, types stripped and imports kept: Node, Deno and Bun load the built packages themselves. */
  cliFile: string;
  /** The Worker as one ES module with every dependency inside (js-tiktoken's rank files too). */
  workerScript: string;
  /** `file → node:module` for each `node:` import the Worker bundle still has: workerd refuses them. */
  workerNodeImports: string[];
}

/** Compiles the probe for the runtimes; the packages it imports are their `dist/`, as users get them. */
export async function buildProbe(): Promise<BuiltProbe> {
  await rm(probeDirectory, { recursive: true, force: true });
  await mkdir(probeDirectory, { recursive: true });
  const modules = ['cli.ts', 'probe.ts', 'scenario.ts'].map((file) => join(sourceDirectory, file));
  await build({
    entryPoints: modules,
    outdir: join(probeDirectory, 'modules'),
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    bundle: false,
    logLevel: 'error',
  });
  const workerFile = join(probeDirectory, 'worker.js');
  const { metafile } = await build({
    entryPoints: [join(sourceDirectory, 'worker.ts')],
    outfile: workerFile,
    bundle: true,
    format: 'esm',
    // workerd is a browser-like platform: the SDK's `browser` map swaps out its Node-only files,
    // and nothing may need a `node:` module (no `nodejs_compat` flag is given).
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    // Left in, not a build error: workerd itself then refuses the Worker, and the other runtimes
    // still run. The list says which file brought each one in.
    external: ['node:*'],
    metafile: true,
    logLevel: 'error',
  });
  const workerNodeImports = Object.entries(metafile.inputs).flatMap(([file, input]) =>
    input.imports.filter((entry) => entry.path.startsWith('node:')).map((entry) => `${file} → ${entry.path}`),
  );
  return {
    cliFile: join(probeDirectory, 'modules', 'cli.js'),
    workerScript: await readFile(workerFile, 'utf8'),
    workerNodeImports,
  };
}
