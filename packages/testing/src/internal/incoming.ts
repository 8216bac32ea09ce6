import type { IncomingMessage } from 'node:http';
import { invalidRequest } from './api-error.js';
import type { Exchange } from './exchange.js';
import { sendFailure } from './replies.js';

const maximumBodyBytes = 64 * 1024 * 1024;

/** The body as text, or `undefined` when it is over the limit (read to the end all the same). */
function readBody(incoming: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maximumBodyBytes) chunks.push(chunk);
    });
    incoming.on('end', () =>
      resolve(size > maximumBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    incoming.on('error', reject);
  });
}

function isAuthorized(incoming: IncomingMessage, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  if (incoming.headers['x-api-key'] === apiKey) return true;
  return incoming.headers.authorization === `Bearer ${apiKey}`;
}

/**
 * Reads the body and checks the API key, as the API does before it looks at the path.
 * Resolves to the body's text, or `undefined` when a 413 or 401 answered the request.
 */
export async function readAuthorizedBody(exchange: Exchange): Promise<string | undefined> {
  const text = await readBody(exchange.incoming);
  if (text === undefined) {
    sendFailure(exchange, {
      status: 413,
      type: 'request_too_large',
      message: 'Request exceeds the maximum allowed number of bytes.',
    });
    return undefined;
  }
  if (!isAuthorized(exchange.incoming, exchange.state.settings.apiKey)) {
    sendFailure(exchange, { status: 401, type: 'authentication_error', message: 'invalid x-api-key' });
    return undefined;
  }
  return text;
}

/** The parsed JSON body, or `undefined` when it is not JSON and a 400 answered the request. */
export function parseJsonBody(exchange: Exchange, text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    // Not JSON: the error says nothing the client needs beyond the API's own message.
    sendFailure(exchange, invalidRequest('The request body is not valid JSON.'));
    return undefined;
  }
}
