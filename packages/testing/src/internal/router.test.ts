import { describe, expect, it } from 'vitest';
import { type Route, Router } from './router.js';

function route(method: Route['method'], path: string): Route {
  return { method, path, body: 'none', handle: async () => {} };
}

const batches = route('GET', '/v1/messages/batches/:id');
const batchResults = route('GET', '/v1/messages/batches/:id/results');
const cancelBatch = route('POST', '/v1/messages/batches/:id/cancel');
const deleteBatch = route('DELETE', '/v1/messages/batches/:id');
const messages = route('POST', '/v1/messages');
const router = new Router([messages, batches, batchResults, cancelBatch, deleteBatch]);

describe('Router', () => {
  it('finds the route whose method and literal path match', () => {
    expect(router.match('POST', '/v1/messages')).toEqual({ route: messages, params: {} });
  });

  it('passes :name segments to the handler as params', () => {
    expect(router.match('GET', '/v1/messages/batches/msgbatch_01/results')).toEqual({
      route: batchResults,
      params: { id: 'msgbatch_01' },
    });
  });

  it('tells routes on one path apart by method', () => {
    expect(router.match('DELETE', '/v1/messages/batches/msgbatch_01')).toMatchObject({ route: deleteBatch });
    expect(router.match('GET', '/v1/messages/batches/msgbatch_01')).toMatchObject({ route: batches });
  });

  it('answers a known path with another method with 405 and the allowed methods', () => {
    expect(router.match('PUT', '/v1/messages/batches/msgbatch_01')).toEqual({
      failure: {
        status: 405,
        type: 'invalid_request_error',
        message: 'PUT /v1/messages/batches/msgbatch_01 is not allowed; use GET or DELETE',
        headers: { allow: 'GET, DELETE' },
      },
    });
  });

  it('answers an unknown path with 404 not_found_error', () => {
    expect(router.match('POST', '/v1/complete')).toEqual({
      failure: { status: 404, type: 'not_found_error', message: 'POST /v1/complete not found' },
    });
  });

  it('does not match an empty segment to a parameter, nor a longer or shorter path', () => {
    expect(router.match('GET', '/v1/messages/batches//results').failure?.status).toBe(404);
    expect(router.match('POST', '/v1/messages/extra').failure?.status).toBe(404);
    expect(router.match('GET', '/v1/messages/batches').failure?.status).toBe(404);
  });

  it('gives a request to the first registered route when two match', () => {
    const first = route('GET', '/v1/models/:id');
    const second = route('GET', '/v1/models/claude-opus-5');
    expect(new Router([first, second]).match('GET', '/v1/models/claude-opus-5')).toMatchObject({
      route: first,
    });
  });
});
