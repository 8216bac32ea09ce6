import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type MockServer, startMockServer } from '@bulwark/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsxLoader = pathToFileURL(require.resolve('tsx/esm')).href;
const execFileAsync = promisify(execFile);

/** The installed location of `name` as `bulwark` sees it in this workspace. */
async function installed(name: string): Promise<string> {
  return realpath(join(packageDirectory, 'node_modules', name));
}

/**
 * A fresh application directory as a user's install lays it out: `bulwark` (its source, run with
 * tsx) and its dependencies, and of the optional packages only those named.
 */
async function application(optional: { otel: boolean; api: boolean }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'bulwark-optional-'));
  const modules = join(root, 'node_modules');
  const copyPackage = async (name: string, source: string) => {
    const target = join(modules, name);
    await mkdir(target, { recursive: true });
    await cp(join(source, 'src'), join(target, 'src'), {
      recursive: true,
      filter: (path) => !path.endsWith('.test.ts') && !path.includes('test-support'),
    });
    await writeFile(
      join(target, 'package.json'),
      JSON.stringify({ name, type: 'module', exports: { '.': './src/index.ts' } }),
    );
  };
  const link = async (name: string) => {
    await mkdir(dirname(join(modules, name)), { recursive: true });
    await symlink(await installed(name), join(modules, name), 'dir');
  };
  // Copied, not linked: a link would resolve its imports from the workspace, where everything is.
  await copyPackage('bulwark', packageDirectory);
  for (const name of [
    '@bulwark/core',
    '@bulwark/ratelimit',
    '@bulwark/stream',
    '@bulwark/tokens',
    '@anthropic-ai/sdk',
  ]) {
    await link(name);
  }
  if (optional.otel) await copyPackage('@bulwark/otel', await installed('@bulwark/otel'));
  if (optional.api) await link('@opentelemetry/api');
  await writeFile(
    join(root, 'app.mjs'),
    `import { createClient } from 'bulwark';
const request = { model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'Hi.' }] };
const plain = createClient({ apiKey: 'test-key', baseURL: process.env.MOCK_URL });
console.log('plain answered:', (await plain.getCompletion('Hi.', { maxTokens: 50 })).length > 0);
await plain.close();
const traced = createClient({ apiKey: 'test-key', baseURL: process.env.MOCK_URL, telemetry: {} });
try {
  await traced.createMessage(request);
  console.log('telemetry answered: true');
} catch (error) {
  console.log('telemetry refused:', error.name, error.argument, error.message);
}
await traced.close();
`,
  );
  return root;
}

/** Runs the application as its user would; rejects when it exits with an error. */
async function run(root: string, mockUrl: string): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, ['--import', tsxLoader, 'app.mjs'], {
    cwd: root,
    env: { ...process.env, MOCK_URL: mockUrl, ANTHROPIC_API_KEY: '' },
  });
}

let server: MockServer;
const roots: string[] = [];
beforeAll(async () => {
  server = await startMockServer({ seed: 2 });
});
afterAll(async () => {
  await server.close();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe('telemetry is optional', () => {
  it('leaves a user without @bulwark/otel and @opentelemetry/api unbroken, and says what telemetry needs', async () => {
    const root = await application({ otel: false, api: false });
    roots.push(root);
    const { stdout, stderr } = await run(root, server.url);
    expect(stderr).toBe('');
    expect(stdout).toContain('plain answered: true');
    expect(stdout).toContain(
      'telemetry refused: InvalidArgumentError options.telemetry `options.telemetry` needs the optional packages `@bulwark/otel` and `@opentelemetry/api`',
    );
  });

  it('says the same when @bulwark/otel is there but @opentelemetry/api is not', async () => {
    const root = await application({ otel: true, api: false });
    roots.push(root);
    const { stdout } = await run(root, server.url);
    expect(stdout).toContain('plain answered: true');
    expect(stdout).toMatch(
      /telemetry refused: InvalidArgumentError options\.telemetry .*@opentelemetry\/api/,
    );
  });

  it('traces once both are installed', async () => {
    const root = await application({ otel: true, api: true });
    roots.push(root);
    const { stdout, stderr } = await run(root, server.url);
    expect(stderr).toBe('');
    expect(stdout).toContain('telemetry answered: true');
  });
});
