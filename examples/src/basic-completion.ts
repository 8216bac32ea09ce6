/**
 * Basic completion: one prompt in, the answer's text out. Behind the one call, Bulwark
 * estimates the request's tokens, waits for rate-limit capacity, decides whether to stream,
 * retries what is worth retrying, and keeps totals.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/basic-completion.ts
 */
import { createClient } from 'bulwark';
import { openEnvironment } from './support/environment.js';

const environment = await openEnvironment({ seed: 3 });
console.log(environment.describe());
const client = createClient({ ...environment.clientOptions });

try {
  const prompt = 'In two sentences, why should a client stream long generations?';
  const estimate = await client.estimateRequest({
    model: 'claude-sonnet-4-6',
    max_tokens: 300,
    messages: [{ role: 'user', content: prompt }],
  });
  console.log(
    `estimated input: ${estimate.inputTokens} tokens (raw ${estimate.rawTokens} × ${estimate.calibrationRatio.toFixed(2)})`,
  );

  const text = await client.getCompletion(prompt, { maxTokens: 300 });
  console.log(`\nanswer (${text.length} characters):\n${text}\n`);

  for (const [model, totals] of Object.entries(client.usage())) {
    console.log(
      `${model}: ${totals.requests} request, ${totals.usage.inputTokens} input + ${totals.usage.outputTokens} output tokens, $${(totals.costUsd ?? 0).toFixed(6)}`,
    );
  }
} finally {
  await client.close();
  await environment.close();
}
