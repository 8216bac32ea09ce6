import { type ApiFailure, invalidRequest } from '../api-error.js';

/** One request of a batch as the mock keeps it. */
export interface BatchItem {
  customId: string;
  params: Record<string, unknown>;
}

const customIdPattern = /^[a-zA-Z0-9_-]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkItem(value: unknown, index: number): BatchItem | ApiFailure {
  const where = `requests.${index}`;
  if (!isRecord(value)) return invalidRequest(`${where}: Input should be a valid dictionary`);
  for (const key of Object.keys(value)) {
    if (key !== 'custom_id' && key !== 'params')
      return invalidRequest(`${where}.${key}: Extra inputs are not permitted`);
  }
  const customId = value.custom_id;
  if (customId === undefined) return invalidRequest(`${where}.custom_id: Field required`);
  if (typeof customId !== 'string' || !customIdPattern.test(customId)) {
    return invalidRequest(`${where}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
  }
  const params = value.params;
  if (params === undefined) return invalidRequest(`${where}.params: Field required`);
  if (!isRecord(params)) return invalidRequest(`${where}.params: Input should be a valid dictionary`);
  if (params.stream === true) {
    return invalidRequest(
      `${where}.params.stream: Streaming is not supported for requests in a message batch`,
    );
  }
  return { customId, params };
}

/**
 * Checks a `POST /v1/messages/batches` body as the API does when the batch is created: the list
 * of requests, at most `maxRequests` of them, each with a valid `custom_id` and a `params`
 * object, no `custom_id` twice. The params themselves are checked later, one by one, as the API
 * does ("validated asynchronously"): an invalid one becomes an `errored` result.
 */
export function parseCreateBatchBody(body: unknown, maxRequests: number): BatchItem[] | ApiFailure {
  if (!isRecord(body)) return invalidRequest('Input should be a valid dictionary');
  const requests = body.requests;
  if (requests === undefined) return invalidRequest('requests: Field required');
  if (!Array.isArray(requests)) return invalidRequest('requests: Input should be a valid list');
  if (requests.length === 0) {
    return invalidRequest('requests: List should have at least 1 item after validation, not 0');
  }
  if (requests.length > maxRequests) {
    return invalidRequest(
      `requests: List should have at most ${maxRequests} items after validation, not ${requests.length}`,
    );
  }
  const items: BatchItem[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < requests.length; index += 1) {
    const item = checkItem(requests[index], index);
    if ('status' in item) return item;
    if (seen.has(item.customId)) {
      return invalidRequest(
        `requests.${index}.custom_id: Duplicate custom_id \`${item.customId}\`; each custom_id must be unique within a batch`,
      );
    }
    seen.add(item.customId);
    items.push(item);
  }
  return items;
}

/** A failure is told apart from a list of items by its `status`. */
export function isFailure(value: BatchItem[] | ApiFailure): value is ApiFailure {
  return !Array.isArray(value);
}
