/**
 * Retries and resume under injected faults. One long request meets, in turn: a 429 with
 * retry-after, a 529 overloaded, a socket dropped mid-stream, a stall (nothing sent), and a
 * mid-stream `overloaded_error`. Bulwark retries the first two, and resumes the broken streams
 * from the text already received instead of starting over. Offline, the result is checked
 * against what an uninterrupted stream gives.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/retries-and-resume.ts
 */
import { createClient } from 'bulwark';
import { openEnvironment } from './support/environment.js';

const environment = await openEnvironment({
  seed: 21,
  outputTokens: 1_500,
  tokensPerSecond: 1_500,
  faults: {
    schedule: {
      1: { kind: 'status', status: 429, retryAfterSeconds: 1 },
      2: { kind: 'status', status: 529 },
      3: { kind: 'drop', afterEvents: 300 },
      4: { kind: 'stall', afterEvents: 200, durationMs: 60_000 },
      5: { kind: 'error_event', afterEvents: 250, errorType: 'overloaded_error' },
    },
  },
});
console.log(environment.describe());
const client = createClient({
  ...environment.clientOptions,
  stallTimeoutMs: 1_500,
  retry: { initialRetryDelayMs: 200, maxRetryDelayMs: 2_000 },
});

client.bus.on('request:error', ({ attempt, error }) => {
  console.log(
    `  attempt ${attempt} failed: ${error.name}${error.status ? ` ${error.status}` : ''}${error.type ? ` (${error.type})` : ''}`,
  );
});
client.bus.on('retry:scheduled', ({ reason, delayMs, resume }) => {
  console.log(`  → ${resume ? 'resume' : 'retry'} in ${delayMs.toFixed(0)} ms (${reason})`);
});
client.bus.on('stream:stall', ({ idleMs }) => console.log(`  stall: nothing for ${idleMs} ms`));
client.bus.on('stream:resume', ({ strategy, keptOutputTokens, keptTextLength }) => {
  console.log(
    `  resuming by ${strategy}: keeping ${keptOutputTokens} output tokens (${keptTextLength} characters)`,
  );
});

const request = {
  model: 'claude-sonnet-4-6',
  max_tokens: 8_000,
  messages: [{ role: 'user' as const, content: 'Tell a long story about a lighthouse keeper.' }],
};

try {
  let delivered = '';
  const message = await client.createMessage(request, {
    onText: (delta) => {
      delivered += delta;
    },
  });
  const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  console.log(
    `\ncompleted: ${message.usage.output_tokens} output tokens over all attempts, stop_reason ${message.stop_reason}`,
  );
  console.log(`onText delivered every character once: ${delivered === text}`);
  if (environment.server) {
    console.log(`identical to an uninterrupted stream: ${text === environment.server.expectedText(request)}`);
    const outputSent = environment.server.requests.reduce((sum, entry) => sum + entry.outputTokens, 0);
    console.log(
      `output tokens the server generated in all: ${outputSent} (a restart policy would have paid for the broken parts again)`,
    );
  }
  const totals = client.usage()[request.model];
  console.log(
    `retries ${totals?.retries}, resumes ${totals?.resumes}, 429s ${totals?.rateLimited}, stalls ${totals?.stalls}`,
  );
} finally {
  await client.close();
  await environment.close();
}
