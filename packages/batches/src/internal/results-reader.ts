import type Anthropic from '@anthropic-ai/sdk';
import { sleep, summarizeError } from '@bulwark/core/internal';
import type { BatchResult } from '../batch-request.js';
import { BatchApiError } from '../errors.js';
import { type ApiCallContext, batchApiError, classifyApiFailure } from './api-call.js';
import { apiRetryDelayMs } from './backoff.js';
import { jsonLines } from './json-lines.js';

/**
 * The body of a batch's results file, through the SDK (its auth, headers, fetch and base URL),
 * as the raw response: `client.get(results_url).asResponse()`, the SDK's way to any endpoint.
 */
async function openResults(client: Anthropic, batchId: string): Promise<ReadableStream<Uint8Array>> {
  const batch = await client.messages.batches.retrieve(batchId, {}, { maxRetries: 0 });
  const body = batch.results_url
    ? (
        await client
          .get<unknown>(batch.results_url, { headers: { Accept: 'application/binary' }, maxRetries: 0 })
          .asResponse()
      ).body
    : null;
  if (!body) {
    throw new BatchApiError({
      operation: 'results',
      batchId,
      message: `Batch ${batchId} (${batch.processing_status}) has no results file to read yet`,
      isRetryable: true,
    });
  }
  return body;
}

/**
 * The lines of a batch's results file from line `startLine` (0-based) on, read as a stream
 * and decoded one JSON line at a time, so memory stays bounded by the longest line, whatever
 * the file's size. A stream that breaks off is opened again and the lines already read are
 * skipped, with backoff (`batch:throttled`) like any call.
 */
export async function* readResultLines(
  client: Anthropic,
  batchId: string,
  startLine: number,
  context: ApiCallContext,
): AsyncGenerator<BatchResult> {
  let position = startLine;
  for (let attempt = 1; ; attempt += 1) {
    const positionBefore = position;
    try {
      let line = 0;
      // Leaving this loop early cancels the body (in `jsonLines`), which releases the connection.
      for await (const result of jsonLines<BatchResult>(await openResults(client, batchId))) {
        line += 1;
        if (line <= position) continue;
        position = line;
        yield result;
      }
      return;
    } catch (error) {
      const failure = classifyApiFailure(error, context.clock.now());
      // A stream that broke after making progress starts its count of failures afresh.
      if (position > positionBefore) attempt = 1;
      if (!failure.retryable || attempt > context.maxApiRetries) {
        throw batchApiError('results', batchId, error, failure, attempt);
      }
      const delayMs = apiRetryDelayMs(attempt, failure.retryAfterMs, context.random);
      context.bus.emit('batch:throttled', {
        jobId: context.jobId,
        operation: 'results',
        batchId,
        error: summarizeError(error, { status: failure.status, type: failure.type }),
        delayMs,
        attempt,
      });
      await sleep(context.clock, delayMs);
    }
  }
}
