import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from './dispatch.js';
import type { RouteContext } from './exchange.js';
import { parseMockServerOptions } from './options.js';
import { sendJson } from './replies.js';
import { type Route, Router } from './router.js';
import { MockServerState } from './server-state.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
});

/** A server that dispatches to `routes` only, with the state its handlers see. */
async function serve(routes: Route[]): Promise<{ url: string; state: MockServerState }> {
  const state = new MockServerState(parseMockServerOptions({ apiKey: 'test-key' }));
  const router = new Router(routes);
  const server = createServer((incoming, response) => void dispatch(state, router, incoming, response));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state };
}

const headers = { 'x-api-key': 'test-key' };

describe('dispatch', () => {
  it('hands a route its path parameters, and no body when it asks for none', async () => {
    const seen: Array<Pick<RouteContext, 'params' | 'body'>> = [];
    const { url, state } = await serve([
      {
        method: 'GET',
        path: '/v1/things/:id',
        body: 'none',
        handle: async (context) => {
          seen.push({ params: context.params, body: context.body });
          sendJson(context, JSON.stringify({ id: context.params.id }));
        },
      },
    ]);
    const response = await fetch(`${url}/v1/things/thing_1?limit=2`, { headers });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'thing_1' });
    expect(seen).toEqual([{ params: { id: 'thing_1' }, body: undefined }]);
    expect(state.log[0]).toMatchObject({ method: 'GET', path: '/v1/things/thing_1', status: 200 });
  });

  it('checks the key before the path: 401 for a wrong key on an unknown path', async () => {
    const { url } = await serve([]);
    const response = await fetch(`${url}/v1/unknown`, { headers: { 'x-api-key': 'wrong' } });
    expect(response.status).toBe(401);
  });

  it('answers a known path with another method with 405, an allow header and the API error body', async () => {
    const { url } = await serve([
      { method: 'POST', path: '/v1/things', body: 'json', handle: async () => {} },
    ]);
    const response = await fetch(`${url}/v1/things`, { method: 'DELETE', headers });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
      request_id: response.headers.get('request-id'),
    });
  });

  it('answers 500 api_error and logs internalError when a handler throws before the headers', async () => {
    const { url, state } = await serve([
      {
        method: 'POST',
        path: '/v1/broken',
        body: 'json',
        handle: async () => {
          throw new Error('generator exploded');
        },
      },
    ]);
    const response = await fetch(`${url}/v1/broken`, { method: 'POST', headers, body: '{}' });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      error: { type: 'api_error', message: 'Internal server error: generator exploded' },
    });
    expect(state.log[0]).toMatchObject({ status: 500, internalError: 'generator exploded' });
  });

  it('destroys the socket and logs internalError when a handler throws after the headers', async () => {
    const { url, state } = await serve([
      {
        method: 'POST',
        path: '/v1/broken',
        body: 'json',
        handle: async ({ response }) => {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('event: ping\n\n');
          throw new Error('frame builder exploded');
        },
      },
    ]);
    const read = fetch(`${url}/v1/broken`, { method: 'POST', headers, body: '{}' }).then((response) =>
      response.text(),
    );
    await expect(read).rejects.toThrow();
    expect(state.log[0]?.internalError).toBe('frame builder exploded');
  });
});
