import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLogEntry } from '../mock-server.js';
import type { MockServerState } from './server-state.js';

/** One HTTP request in flight, as every step of answering it sees it. */
export interface Exchange {
  readonly state: MockServerState;
  readonly incoming: IncomingMessage;
  readonly response: ServerResponse;
  /** This request's line in `server.requests`, filled in as it is answered. */
  readonly entry: RequestLogEntry;
  /** Aborted when the response closes: the client went away, it ended, or the server is closing. */
  readonly signal: AbortSignal;
}

/** What a route's handler receives: the exchange, its path parameters and its JSON body. */
export interface RouteContext extends Exchange {
  /** The `:name` segments of the route's path, by name. */
  readonly params: Readonly<Record<string, string>>;
  /** The parsed JSON body for a route with `body: 'json'`; `undefined` otherwise. */
  readonly body: unknown;
}

/** Logs a new request and ties its abort signal to the response's end. */
export function openExchange(
  state: MockServerState,
  incoming: IncomingMessage,
  response: ServerResponse,
): Exchange {
  const path = (incoming.url ?? '/').split('?')[0] as string;
  const entry = state.openEntry(incoming.method ?? 'GET', path);
  const controller = new AbortController();
  state.openResponses.add(controller);
  response.on('close', () => {
    controller.abort();
    state.openResponses.delete(controller);
    entry.finishedAt = state.clock.now();
  });
  return { state, incoming, response, entry, signal: controller.signal };
}
