import type { ApiFailure } from '../api-error.js';
import type { BatchRegistry } from '../batches/batch-registry.js';
import { MockBatch } from '../batches/mock-batch.js';
import { writeLines } from '../batches/results-writer.js';
import type { RouteContext } from '../exchange.js';
import { sendFailure, sendJson } from '../replies.js';
import type { Route } from '../router.js';

/** The base of absolute URLs the client can reach this server by (`results_url`). */
function baseUrlOf(context: RouteContext): string {
  return `http://${context.incoming.headers.host ?? '127.0.0.1'}`;
}

function resultsUrlOf(context: RouteContext, id: string): string {
  return `${baseUrlOf(context)}/v1/messages/batches/${id}/results`;
}

/** Answers a batch, or the failure the registry gave instead. */
function sendBatch(context: RouteContext, batch: MockBatch | ApiFailure): void {
  if (!(batch instanceof MockBatch)) {
    sendFailure(context, batch);
    return;
  }
  sendJson(context, JSON.stringify(batch.toJson(context.state.clock.now(), resultsUrlOf(context, batch.id))));
}

function bodyBytes(context: RouteContext): number {
  const declared = Number(context.incoming.headers['content-length']);
  return Number.isFinite(declared) ? declared : Buffer.byteLength(JSON.stringify(context.body));
}

/** `POST /v1/messages/batches`: checks the batch as the API does (400, 413, 429) and starts it. */
async function createBatch(context: RouteContext): Promise<void> {
  const registry = context.state.batches;
  if (bodyBytes(context) > registry.options.maxBatchBytes) {
    sendFailure(context, {
      status: 413,
      type: 'request_too_large',
      message: `Request exceeds the maximum allowed number of bytes for a message batch (${registry.options.maxBatchBytes}).`,
    });
    return;
  }
  const created = registry.create(context.body);
  if (created instanceof MockBatch) context.state.stats.completed += 1;
  else if (created.status === 429) context.state.stats.rateLimited += 1;
  sendBatch(context, created);
}

/** `GET /v1/messages/batches`: newest first, paged with `limit`, `after_id` and `before_id`. */
async function listBatches(context: RouteContext): Promise<void> {
  const query = new URL(context.incoming.url ?? '/', 'http://mock').searchParams;
  const page = context.state.batches.list(
    {
      limit: query.get('limit') ?? undefined,
      before_id: query.get('before_id') ?? undefined,
      after_id: query.get('after_id') ?? undefined,
    },
    (id) => resultsUrlOf(context, id),
  );
  if ('status' in page) sendFailure(context, page);
  else sendJson(context, JSON.stringify(page));
}

/** `GET /v1/messages/batches/{id}/results`: the JSONL file, streamed as the client reads it. */
async function sendResults(context: RouteContext): Promise<void> {
  const registry: BatchRegistry = context.state.batches;
  const batch = registry.get(context.params.id as string);
  if (!(batch instanceof MockBatch)) {
    sendFailure(context, batch);
    return;
  }
  if (batch.status(context.state.clock.now()) !== 'ended') {
    sendFailure(context, {
      status: 404,
      type: 'not_found_error',
      message: `Results for message batch ${batch.id} are not available until it has ended.`,
    });
    return;
  }
  context.state.recordStatus(context.entry, 200);
  context.response.writeHead(200, {
    'request-id': context.entry.requestId,
    'content-type': 'application/x-jsonl',
  });
  const cutAfterLines = batch.resultsDownloads === 0 ? registry.options.dropResultsAfterLines : undefined;
  batch.resultsDownloads += 1;
  await writeLines(context.response, registry.resultLines(batch), context.signal, cutAfterLines);
}

/** The Message Batches endpoints, processing on the server's clock (`options.batches`). */
export const batchRoutes: readonly Route[] = [
  { method: 'POST', path: '/v1/messages/batches', body: 'json', handle: createBatch },
  { method: 'GET', path: '/v1/messages/batches', body: 'none', handle: listBatches },
  {
    method: 'GET',
    path: '/v1/messages/batches/:id',
    body: 'none',
    handle: async (context) => sendBatch(context, context.state.batches.get(context.params.id as string)),
  },
  {
    method: 'POST',
    path: '/v1/messages/batches/:id/cancel',
    body: 'none',
    handle: async (context) => sendBatch(context, context.state.batches.cancel(context.params.id as string)),
  },
  {
    method: 'DELETE',
    path: '/v1/messages/batches/:id',
    body: 'none',
    handle: async (context) => {
      const deleted = context.state.batches.delete(context.params.id as string);
      if ('status' in deleted) sendFailure(context, deleted);
      else sendJson(context, JSON.stringify(deleted));
    },
  },
  { method: 'GET', path: '/v1/messages/batches/:id/results', body: 'none', handle: sendResults },
];
