/**
 * A large request forced to stream. The SDK refuses a non-streaming call whose max_tokens
 * implies more than ten minutes of generation (above 21,333 tokens); Bulwark streams any
 * request whose max_tokens (or thinking budget) exceeds 4,096 tokens, and says why.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/large-request.ts
 */
import Anthropic from '@anthropic-ai/sdk';
import { createClient } from 'bulwark';
import { openEnvironment } from './support/environment.js';

const environment = await openEnvironment({ seed: 5, outputTokens: 2_500 });
console.log(environment.describe());
const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 32_000,
  messages: [{ role: 'user' as const, content: 'Write a long, detailed design document for a job queue.' }],
};

console.log('\n1. The bare SDK, non-streaming, max_tokens 32,000:');
const sdk = new Anthropic({ ...environment.clientOptions, maxRetries: 0 });
try {
  await sdk.messages.create(params);
  console.log('  (the SDK accepted it)');
} catch (error) {
  console.log(`  ${(error as Error).constructor.name}: ${(error as Error).message.split('.')[0]}.`);
}

console.log('\n2. Bulwark, same request:');
const client = createClient({ ...environment.clientOptions });
client.bus.on('request:start', ({ streaming, streamingReason, maxTokens }) => {
  console.log(`  request:start streaming=${streaming} reason=${streamingReason} max_tokens=${maxTokens}`);
});
try {
  const message = await client.createMessage(params);
  const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  console.log(
    `  done: ${message.usage.output_tokens} output tokens, ${text.length} characters, stop_reason ${message.stop_reason}`,
  );
} finally {
  await client.close();
  await environment.close();
}
