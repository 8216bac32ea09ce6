import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Exchange, openExchange } from './exchange.js';
import { parseJsonBody, readAuthorizedBody } from './incoming.js';
import { sendFailure } from './replies.js';
import type { Router } from './router.js';
import type { MockServerState } from './server-state.js';

/**
 * Answers one HTTP request: logs it, reads the body (413) and checks the key (401), finds its
 * route (404, 405), parses a JSON body (400), then runs the route's handler. Never rejects.
 */
export async function dispatch(
  state: MockServerState,
  router: Router,
  incoming: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const exchange = openExchange(state, incoming, response);
  try {
    const text = await readAuthorizedBody(exchange);
    if (text === undefined) return;
    const match = router.match(incoming.method ?? 'GET', exchange.entry.path);
    if (match.failure) {
      sendFailure(exchange, match.failure);
      return;
    }
    let body: unknown;
    if (match.route.body === 'json') {
      const parsed = parseJsonBody(exchange, text);
      if (parsed === undefined) return;
      body = parsed.value;
    }
    await match.route.handle({ ...exchange, params: match.params, body });
  } catch (error) {
    answerInternalError(exchange, error);
  }
}

/** A handler threw: the mock itself failed (or was aborted). */
function answerInternalError(exchange: Exchange, error: unknown): void {
  // Aborted: the client went away or the server is closing, and a wait was cut short on
  // purpose; there is nobody left to answer.
  if (exchange.signal.aborted) return;
  const message = error instanceof Error ? error.message : String(error);
  exchange.entry.internalError = message;
  if (!exchange.response.headersSent) {
    sendFailure(exchange, { status: 500, type: 'api_error', message: `Internal server error: ${message}` });
  } else {
    exchange.response.destroy();
  }
}
