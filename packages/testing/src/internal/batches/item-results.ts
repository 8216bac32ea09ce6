import { hashString } from '@bulwark/core/internal';
import type { BatchFaultPlan, BatchItemFault } from '../../mock-batch-options.js';
import type { ServerTokenizer } from '../../server-tokenizer.js';
import { defaultMessageFor } from '../api-error.js';
import { messageJson } from '../message-body.js';
import { isApiFailure, type MessagesRequest, parseMessagesRequest } from '../messages-request.js';
import { randomFor } from '../random.js';
import type { ResponseGenerator } from '../response-plan.js';
import type { ItemOutcome, MockBatch, SubmittedItem } from './mock-batch.js';

/** What the results of batches are made from: the synchronous endpoint's own parts. */
export interface ItemResultParts {
  seed: number;
  generator: ResponseGenerator;
  tokenizer: ServerTokenizer;
  faults: () => BatchFaultPlan;
  /** Test-only padding of each succeeded message, in bytes. */
  resultPaddingBytes: number;
}

function faultOf(parts: ItemResultParts, item: SubmittedItem): BatchItemFault | undefined {
  const plan = parts.faults();
  const scheduled = plan.byCustomId?.[item.customId];
  if (scheduled !== undefined) {
    if (!Array.isArray(scheduled)) return item.submission === 1 ? scheduled : undefined;
    return scheduled[item.submission - 1];
  }
  if (!plan.random) return undefined;
  const random = randomFor(parts.seed, 'batch-fault', item.customId, String(item.submission));
  if (random() >= plan.random.probability) return undefined;
  return plan.random.faults[Math.floor(random() * plan.random.faults.length)];
}

/**
 * The outcome of a processed request: its fault if it has one, else what the synchronous
 * endpoint would answer (an `errored` `invalid_request_error` for params it refuses).
 */
export function itemOutcome(parts: ItemResultParts, item: SubmittedItem): ItemOutcome {
  const fault = faultOf(parts, item);
  if (fault?.kind === 'errored') {
    const errorType = fault.errorType ?? 'api_error';
    return { type: 'errored', errorType, message: fault.message ?? defaultMessageFor(errorType) };
  }
  if (fault) return { type: fault.kind };
  const parsed = parseMessagesRequest(item.params);
  if (isApiFailure(parsed)) return { type: 'errored', errorType: parsed.type, message: parsed.message };
  return { type: 'succeeded' };
}

/** The JSON of a text block of `bytes` filler characters, made once per size. */
const paddingBlocks = new Map<number, string>();
function paddingBlock(bytes: number): string {
  let block = paddingBlocks.get(bytes);
  if (block === undefined) {
    const text = 'pad '.repeat(Math.ceil(bytes / 4)).slice(0, bytes);
    block = `{"type":"text","text":"${text}"},`;
    paddingBlocks.set(bytes, block);
  }
  return block;
}

/** The message the synchronous endpoint would answer, as batch results carry it (`service_tier: batch`). */
function succeededMessage(parts: ItemResultParts, batch: MockBatch, item: SubmittedItem): string {
  const parsed = parseMessagesRequest(item.params) as MessagesRequest;
  const plan = parts.generator.plan(parsed, hashString(`${batch.id}\u0000${item.customId}`));
  let json = messageJson(plan, parsed.model, parts.tokenizer.countRequest(item.params));
  // JSON escapes every quote inside strings, so this key can only be the usage's own.
  json = json.replace('"service_tier":"standard"', '"service_tier":"batch"');
  if (parts.resultPaddingBytes > 0) {
    json = json.replace('"content":[', `"content":[${paddingBlock(parts.resultPaddingBytes)}`);
  }
  return json;
}

/** One line of a batch's results file (with its newline), in the API's shape. */
export function resultLine(parts: ItemResultParts, batch: MockBatch, index: number, nowMs: number): string {
  const item = batch.items[index] as SubmittedItem;
  const outcome = batch.outcomeAt(index, nowMs);
  const customId = JSON.stringify(item.customId);
  switch (outcome.type) {
    case 'succeeded':
      return `{"custom_id":${customId},"result":{"type":"succeeded","message":${succeededMessage(parts, batch, item)}}}\n`;
    case 'errored': {
      const error = {
        type: 'error',
        error: { type: outcome.errorType, message: outcome.message },
        request_id: null,
      };
      return `{"custom_id":${customId},"result":{"type":"errored","error":${JSON.stringify(error)}}}\n`;
    }
    default:
      return `{"custom_id":${customId},"result":{"type":"${outcome.type}"}}\n`;
  }
}
