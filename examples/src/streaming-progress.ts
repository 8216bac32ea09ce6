/**
 * Streaming with `onText` and a live progress display: text is printed as it arrives, and
 * `stream:progress` events (tokens so far, tokens per second, share of max_tokens, ETA) drive a
 * progress line. On a terminal the line updates in place; otherwise progress prints as lines.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/streaming-progress.ts
 */
import { createClient } from 'bulwark';
import { openEnvironment } from './support/environment.js';

const environment = await openEnvironment({ seed: 11, outputTokens: 900, tokensPerSecond: 300 });
console.log(environment.describe());
const client = createClient({ ...environment.clientOptions, progressIntervalMs: 500 });
const terminal = process.stdout.isTTY === true;

let characters = 0;
const progressLines: string[] = [];
client.bus.on('stream:progress', ({ outputTokens, tokensPerSecond, percentOfMaxTokens, etaMs }) => {
  const line = `[progress] ${outputTokens} tokens · ${tokensPerSecond.toFixed(0)} tok/s · ${percentOfMaxTokens.toFixed(0)}% of max_tokens · ETA ${etaMs === null ? '?' : `${(etaMs / 1000).toFixed(1)}s`}`;
  progressLines.push(line);
  if (terminal) process.stderr.write(`\r\u001b[2K${line}`);
});
client.bus.on('request:start', ({ streaming, streamingReason, maxTokens }) => {
  console.log(`request:start streaming=${streaming} (${streamingReason}), max_tokens ${maxTokens}\n`);
});

try {
  const message = await client.createMessage(
    {
      model: 'claude-sonnet-4-6',
      max_tokens: 1_200,
      stream: true,
      messages: [{ role: 'user', content: 'Write a short essay on resilient software.' }],
    },
    {
      onText: (delta) => {
        characters += delta.length;
        if (terminal) process.stdout.write(delta);
      },
    },
  );
  if (terminal) process.stderr.write('\n');
  else for (const line of progressLines) console.log(line);
  console.log(`\n\nreceived ${characters} characters through onText; stop_reason ${message.stop_reason}`);
  console.log(`usage: ${message.usage.input_tokens} input, ${message.usage.output_tokens} output tokens`);
  console.log(`progress events: ${progressLines.length}`);
} finally {
  await client.close();
  await environment.close();
}
