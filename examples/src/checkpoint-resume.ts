/**
 * Crash and resume from a checkpoint. A worker process streams a long answer with
 * `checkpointDir` set, so the partial answer is saved (atomically) every 500 tokens; it is
 * killed with SIGKILL half way, the way a deploy or an OOM kill would end it. A fresh process
 * then calls `resumeFromCheckpoint`: the request continues from the saved text instead of
 * starting over.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/checkpoint-resume.ts
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'bulwark/node';
import { openEnvironment } from './support/environment.js';

const checkpointKey = 'lighthouse-story';
const request = {
  model: 'claude-sonnet-4-6',
  max_tokens: 6_000,
  messages: [{ role: 'user' as const, content: 'Tell a long story about a lighthouse keeper.' }],
};

if (process.argv[2] === '--worker') {
  // The worker: stream until the first checkpoints are saved, then die without warning.
  const baseURL = process.env.BULWARK_EXAMPLE_BASE_URL;
  const client = createClient({
    ...(baseURL ? { apiKey: 'offline-example-key', baseURL } : {}),
    checkpointDir: process.env.BULWARK_EXAMPLE_CHECKPOINTS!,
  });
  client.bus.on('checkpoint:saved', ({ outputTokens }) => {
    console.log(`  worker: checkpoint saved at ${outputTokens} output tokens`);
    if (outputTokens >= 1_500) {
      console.log('  worker: killed (SIGKILL)');
      process.kill(process.pid, 'SIGKILL');
    }
  });
  await client.createMessage(request, { checkpointKey });
  console.log('  worker: finished before it could be killed');
  process.exit(3);
}

const environment = await openEnvironment({ seed: 17, outputTokens: 4_000, tokensPerSecond: 4_000 });
console.log(environment.describe());
const checkpointDir = mkdtempSync(join(tmpdir(), 'bulwark-checkpoints-'));

try {
  console.log('\n1. A worker streams the answer and is killed half way');
  // Asynchronous on purpose: the mock server lives in this process and must keep answering.
  const worker = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker'], {
    env: {
      ...process.env,
      BULWARK_EXAMPLE_CHECKPOINTS: checkpointDir,
      ...(environment.server ? { BULWARK_EXAMPLE_BASE_URL: environment.server.url } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [status, signal] = (await once(worker, 'exit')) as [number | null, NodeJS.Signals | null];
  console.log(`  worker ended by ${signal ?? `exit code ${status}`}`);

  console.log('\n2. A new process resumes from the checkpoint');
  const client = createClient({ ...environment.clientOptions, checkpointDir });
  client.bus.on('stream:resume', ({ strategy, keptOutputTokens }) => {
    console.log(`  resuming by ${strategy}, keeping ${keptOutputTokens} output tokens from the checkpoint`);
  });
  try {
    const message = await client.resumeFromCheckpoint(checkpointKey);
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    console.log(`  completed: ${text.length} characters, stop_reason ${message.stop_reason}`);
    if (environment.server) {
      console.log(
        `  identical to an uninterrupted answer: ${text === environment.server.expectedText(request)}`,
      );
    }
  } finally {
    await client.close();
  }
} finally {
  await environment.close();
  rmSync(checkpointDir, { recursive: true, force: true });
}
