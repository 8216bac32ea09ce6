import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface RunningChild {
  child: ChildProcess;
  /** Lines the child printed so far. */
  lines: string[];
  /** Resolves with the first line that satisfies `match` (rejects if the child exits first). */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  /** Resolves with the exit code and signal. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  stderr(): string;
}

/** Runs a TypeScript file of `test-support/` in a child Node process through tsx. */
export function startChild(
  file: string,
  env: Record<string, string>,
  nodeOptions: string[] = [],
): RunningChild {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', join(here, file)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: {
    match: (line: string) => boolean;
    resolve: (line: string) => void;
    reject: (error: Error) => void;
  }[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (!waiter.match(line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  void exited.then(() => {
    for (const waiter of waiters) waiter.reject(new Error(`child exited before the line; stderr: ${stderr}`));
  });
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    waitForLine(match) {
      const found = lines.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
  };
}
