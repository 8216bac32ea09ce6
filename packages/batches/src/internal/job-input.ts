import { InvalidArgumentError } from '@bulwark/core';
import {
  checkMessageParams,
  expectKnownKeys,
  expectObject,
  hashString,
  invalidArgument,
} from '@bulwark/core/internal';
import type { BatchRequest } from '../batch-request.js';

/** The bytes a batch body adds around its requests: `{"requests":[` and `]}`. */
export const batchEnvelopeBytes = '{"requests":[]}'.length;

const customIdPattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** A job's requests after validation, in input order, with their sizes. */
export interface JobInput {
  requests: BatchRequest[];
  /** The UTF-8 size of each request as JSON, in input order. */
  requestBytes: number[];
  /** Position of each `custom_id`. */
  indexOf: Map<string, number>;
  /** A hash of every request line, in order, to recognise the same job's input on a later run. */
  fingerprint: string;
}

const encoder = new TextEncoder();

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' ||
      typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  );
}

/** Checks one request as the API's batch endpoint would, and returns it as JSON. */
function checkRequest(value: unknown, index: number): string {
  const argument = `requests[${index}]`;
  const request = expectObject(argument, value);
  expectKnownKeys(argument, request, ['custom_id', 'params']);
  const customId = request.custom_id;
  if (typeof customId !== 'string' || !customIdPattern.test(customId)) {
    throw invalidArgument(
      `${argument}.custom_id`,
      'a string of 1 to 64 letters, digits, `_` or `-` (the API refuses any other)',
      customId,
    );
  }
  checkMessageParams(request.params, `${argument}.params`);
  const stream = (request.params as { stream?: unknown }).stream;
  if (stream === true) {
    throw invalidArgument(
      `${argument}.params.stream`,
      'absent or false (batch requests do not stream)',
      stream,
    );
  }
  return JSON.stringify(request);
}

/**
 * Reads and validates every request before anything is sent: the shape and `custom_id` of
 * each, its parameters, unique `custom_id`s, and no request too large for a batch of
 * `maxBatchBytes` on its own. Throws `InvalidArgumentError` naming the first bad request.
 */
export async function readJobInput(
  input: Iterable<BatchRequest> | AsyncIterable<BatchRequest>,
  { maxBatchBytes }: { maxBatchBytes: number },
): Promise<JobInput> {
  if (!isIterable(input))
    throw invalidArgument('requests', 'an iterable or async iterable of requests', input);
  const requests: BatchRequest[] = [];
  const requestBytes: number[] = [];
  const indexOf = new Map<string, number>();
  let hash = 0;
  for await (const value of input as AsyncIterable<unknown>) {
    const index = requests.length;
    const json = checkRequest(value, index);
    const bytes = encoder.encode(json).byteLength;
    const request = value as BatchRequest;
    const first = indexOf.get(request.custom_id);
    if (first !== undefined) {
      throw new InvalidArgumentError({
        argument: `requests[${index}].custom_id`,
        value: request.custom_id,
        message: `Duplicate custom_id \`${request.custom_id}\` at requests[${index}] (first at requests[${first}]): the API refuses a batch whose custom_ids repeat`,
      });
    }
    if (bytes + batchEnvelopeBytes > maxBatchBytes) {
      throw new InvalidArgumentError({
        argument: `requests[${index}]`,
        value: request.custom_id,
        message: `Request \`${request.custom_id}\` (requests[${index}]) takes ${bytes} bytes, more than a batch may hold (maxBatchBytes ${maxBatchBytes})`,
      });
    }
    indexOf.set(request.custom_id, index);
    requests.push(request);
    requestBytes.push(bytes);
    hash = hashString(json, hash);
  }
  return { requests, requestBytes, indexOf, fingerprint: `${requests.length}:${hash.toString(36)}` };
}
