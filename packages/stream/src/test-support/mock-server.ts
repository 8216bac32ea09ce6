import Anthropic from '@anthropic-ai/sdk';
import { type MockServer, type MockServerOptions, startMockServer } from '@bulwark/testing';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * Starts one `@bulwark/testing` server for the test file, with an SDK client on it (its own
 * retries off), and gives every test a fresh log and no faults. Read `server` and `sdk` inside
 * tests: they are set once the file's `beforeAll` ran.
 */
export function useMockServer(options: MockServerOptions): { server: MockServer; sdk: Anthropic } {
  const context = {} as { server: MockServer; sdk: Anthropic };
  beforeAll(async () => {
    context.server = await startMockServer(options);
    context.sdk = new Anthropic({ apiKey: 'test-key', baseURL: context.server.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await context.server.close();
  });
  beforeEach(() => {
    context.server.reset();
    context.server.setFaults({});
  });
  return context;
}

/** Client options that keep timers off the manual clock unless a test wants them. */
export const withoutTimers = {
  stallTimeoutMs: Number.POSITIVE_INFINITY,
  progressIntervalMs: Number.POSITIVE_INFINITY,
} as const;
