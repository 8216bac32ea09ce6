import type Anthropic from '@anthropic-ai/sdk';

/**
 * One request of a job: a `custom_id` unique within the job (1–64 characters of letters,
 * digits, `_` and `-`, as the API requires) and the Messages API parameters, without `stream`.
 * The same shape as a line of the CLI's batch files and as the API's batch request.
 */
export interface BatchRequest {
  custom_id: string;
  params: Anthropic.Messages.MessageCreateParamsNonStreaming;
}

/**
 * One result, in the API's shape: `{ custom_id, result }` where `result` is
 * `{ type: 'succeeded', message }`, `{ type: 'errored', error: { type: 'error', error: { type, message } } }`,
 * `{ type: 'canceled' }` or `{ type: 'expired' }`. Each `custom_id` of a job gets exactly one
 * final result: a retried request reports only its last.
 */
export type BatchResult = Anthropic.Messages.Batches.MessageBatchIndividualResponse;

/** The four kinds of result. */
export type BatchResultType = BatchResult['result']['type'];

/**
 * The `error.type`s of an `errored` result that are worth another try in a new batch: the
 * server's own failures and overload, and rate limits. Everything else (`invalid_request_error`
 * first of all, but also authentication, permission, billing and not-found errors) would fail
 * the same way again and is reported as it is.
 */
export const retryableBatchErrorTypes: readonly string[] = [
  'api_error',
  'overloaded_error',
  'rate_limit_error',
  'timeout_error',
];

/** The API's `error.type` of an `errored` result (`invalid_request_error`, ...); `undefined` for other results. */
export function batchErrorTypeOf(result: BatchResult): string | undefined {
  if (result.result.type !== 'errored') return undefined;
  const response = result.result.error as { error?: { type?: unknown } } | undefined;
  const type = response?.error?.type;
  return typeof type === 'string' ? type : 'unknown_error';
}
