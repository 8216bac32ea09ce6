import { type MockServerOptions, startMockServer } from '@bulwark/testing';

/** Where an example sends its requests: the real API, or a mock server on loopback. */
export interface ExampleEnvironment {
  /** True when no `ANTHROPIC_API_KEY` is set and requests go to `@bulwark/testing`. */
  offline: boolean;
  /** Options for `createClient` (or the SDK): the mock's URL and a placeholder key offline, nothing online. */
  clientOptions: { apiKey?: string; baseURL?: string };
  /** The mock server, offline. */
  server: Awaited<ReturnType<typeof startMockServer>> | undefined;
  /** A line saying where requests go, for the example's first line of output. */
  describe(): string;
  /** Stops the mock server, if one was started. */
  close(): Promise<void>;
}

/**
 * With `ANTHROPIC_API_KEY` set, examples talk to the real API unchanged (the SDK reads the key
 * from the environment; it is never printed). Without it, they start `@bulwark/testing` with
 * `mockOptions` (faults, pacing, limits) so every example runs offline.
 */
export async function openEnvironment(mockOptions: MockServerOptions = {}): Promise<ExampleEnvironment> {
  if (process.env.ANTHROPIC_API_KEY) {
    return {
      offline: false,
      clientOptions: {},
      server: undefined,
      describe: () => 'online: requests go to the Anthropic API (ANTHROPIC_API_KEY is set)',
      close: async () => {},
    };
  }
  const server = await startMockServer(mockOptions);
  return {
    offline: true,
    clientOptions: { apiKey: 'offline-example-key', baseURL: server.url },
    server,
    describe: () =>
      `offline: requests go to @bulwark/testing at ${server.url} (set ANTHROPIC_API_KEY to use the real API)`,
    close: () => server.close(),
  };
}
