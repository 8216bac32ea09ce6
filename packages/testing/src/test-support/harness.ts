import Anthropic from '@anthropic-ai/sdk';
import { afterEach } from 'vitest';
import type { MockServer } from '../mock-server.js';
import type { MockServerOptions } from '../mock-server-options.js';
import { startMockServer } from '../start-mock-server.js';

/** A model that accepts prefill (Claude 4.5) and one that refuses it (Claude 4.6+). */
export const prefillModel = 'claude-haiku-4-5';
export const userTurnModel = 'claude-sonnet-4-6';

const servers: MockServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Starts a server closed after the test, and an SDK client on it without retries. */
export async function startWithClient(
  options: MockServerOptions = {},
  clientOptions: { maxRetries?: number; apiKey?: string } = {},
): Promise<{ server: MockServer; client: Anthropic }> {
  const server = await startMockServer(options);
  servers.push(server);
  const client = new Anthropic({
    apiKey: clientOptions.apiKey ?? 'test-key',
    baseURL: server.url,
    maxRetries: clientOptions.maxRetries ?? 0,
  });
  return { server, client };
}

export function userRequest(text: string, extra: Record<string, unknown> = {}) {
  return {
    model: prefillModel,
    max_tokens: 1000,
    messages: [{ role: 'user' as const, content: text }],
    ...extra,
  };
}

/** Posts a raw request (for what the SDK cannot show: exact bytes, missing fields). */
export async function post(
  server: MockServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'test-key', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The error `promise` rejects with, typed as the SDK's APIError (fails the test if it resolves). */
export async function failureOf(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await promise;
  } catch (error) {
    return error as InstanceType<typeof Anthropic.APIError>;
  }
  throw new Error('expected a failure');
}
