import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidArgument } from '@bulwark/core/internal';
import { dispatch } from './internal/dispatch.js';
import { isApiFailure, parseMessagesRequest } from './internal/messages-request.js';
import { parseMockServerOptions } from './internal/options.js';
import { Router } from './internal/router.js';
import { routes } from './internal/routes.js';
import { MockServerState } from './internal/server-state.js';
import type { MockServer } from './mock-server.js';
import type { MockServerOptions } from './mock-server-options.js';

/**
 * Starts a Messages API server on 127.0.0.1 that the real `@anthropic-ai/sdk` talks to through
 * `baseURL`: `POST /v1/messages` (JSON and SSE) and `POST /v1/messages/count_tokens`, with
 * deterministic answers, exact continuation, rate limits and injected faults.
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const state = new MockServerState(parseMockServerOptions(options));
  const router = new Router(routes);
  const server = createServer((incoming, response) => {
    void dispatch(state, router, incoming, response);
  });
  await listen(server, state.settings.port);
  return mockServerHandle(server, state);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The `MockServer` a caller holds: the address, views of the state, and its controls. */
function mockServerHandle(server: Server, state: MockServerState): MockServer {
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: state.log,
    get stats() {
      return state.stats;
    },
    tokenizer: state.tokenizer,
    reset: () => state.reset(),
    setFaults: (plan) => state.setFaults(plan),
    expectedText(request) {
      const parsed = parseMessagesRequest(request, { lenient: true });
      if (isApiFailure(parsed))
        throw invalidArgument('request', `a valid Messages request (${parsed.message})`, request);
      return state.generator.expectedText(parsed);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const controller of state.openResponses) controller.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
