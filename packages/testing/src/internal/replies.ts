import type { ServerResponse } from 'node:http';
import { type ApiFailure, errorBody } from './api-error.js';
import type { Exchange } from './exchange.js';

/** Destroys the socket once `data` has been handed to it, so the client sees those bytes first. */
export function writeThenDestroy(response: ServerResponse, data: string): void {
  const destroy = (): void => {
    response.socket?.destroy();
    response.destroy();
  };
  if (data.length === 0) destroy();
  else response.write(data, destroy);
}

/** Answers with the API's error body, logging the status and `error.type`. */
export function sendFailure(
  exchange: Exchange,
  failure: ApiFailure,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  const { entry, response } = exchange;
  const body = errorBody(failure, entry.requestId);
  entry.errorType = failure.type;
  exchange.state.recordStatus(entry, failure.status);
  response.writeHead(failure.status, {
    ...extraHeaders,
    ...failure.headers,
    'request-id': entry.requestId,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Answers 200 with a JSON body (already serialised) and the request's id. */
export function sendJson(exchange: Exchange, json: string): void {
  const { entry, response } = exchange;
  exchange.state.recordStatus(entry, 200);
  response.writeHead(200, {
    'request-id': entry.requestId,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}
