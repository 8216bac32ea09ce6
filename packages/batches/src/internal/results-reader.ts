import type Anthropic from '@anthropic-ai/sdk';
import { sleep, summarizeError } from '@bulwark/core/internal';
import type { BatchResult } from '../batch-request.js';
import { type ApiCallContext, batchApiError, classifyApiFailure } from './api-call.js';
import { apiRetryDelayMs } from './backoff.js';

type ResultsDecoder = AsyncIterable<BatchResult> & { controller: AbortController };

/**
 * The lines of a batch's results file from line `startLine` (0-based) on, read as a stream:
 * the SDK hands over the response body and decodes one JSON line at a time, so memory stays
 * bounded by the longest line, whatever the file's size. A stream that breaks off is opened
 * again and the lines already read are skipped, with backoff (`batch:throttled`) like any call.
 */
export async function* readResultLines(
  client: Anthropic,
  batchId: string,
  startLine: number,
  context: ApiCallContext,
): AsyncGenerator<BatchResult> {
  let position = startLine;
  for (let attempt = 1; ; attempt += 1) {
    let decoder: ResultsDecoder | undefined;
    const positionBefore = position;
    try {
      decoder = (await client.messages.batches.results(batchId, {}, { maxRetries: 0 })) as ResultsDecoder;
      let line = 0;
      for await (const result of decoder) {
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
    } finally {
      // Releases the connection when the reader stops early (the consumer broke out, or a line failed).
      decoder?.controller.abort();
    }
  }
}
