import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  invalidArgument,
} from '@bulwark/core/internal';
import type { BatchFaultPlan, BatchItemFault } from '../../mock-batch-options.js';

/** `MockBatchOptions` with defaults applied, checked. */
export interface ResolvedBatchOptions {
  requestsPerSecond: number;
  queueLimit: number;
  maxRequestsPerBatch: number;
  maxBatchBytes: number;
  expiresAfterMs: number;
  cancelDelayMs: number;
  faults: BatchFaultPlan;
  resultPaddingBytes: number;
}

export const defaultBatchOptions: ResolvedBatchOptions = {
  requestsPerSecond: 1_000,
  queueLimit: 1_000_000,
  maxRequestsPerBatch: 100_000,
  maxBatchBytes: 256 * 1024 * 1024,
  expiresAfterMs: 24 * 60 * 60 * 1000,
  cancelDelayMs: 1_000,
  faults: {},
  resultPaddingBytes: 0,
};

const numberRules = {
  requestsPerSecond: { min: 0.001 },
  queueLimit: { min: 1, integer: true },
  maxRequestsPerBatch: { min: 1, integer: true },
  maxBatchBytes: { min: 1, integer: true },
  expiresAfterMs: { min: 1 },
  cancelDelayMs: { min: 0 },
  resultPaddingBytes: { min: 0, integer: true },
} as const;

function parseItemFault(argument: string, value: unknown): BatchItemFault {
  const record = expectObject(argument, value);
  const kind = expectOneOf(`${argument}.kind`, record.kind, ['errored', 'expired', 'canceled'] as const);
  if (kind !== 'errored') {
    expectKnownKeys(argument, record, ['kind']);
    return { kind };
  }
  expectKnownKeys(argument, record, ['kind', 'errorType', 'message']);
  const fault: BatchItemFault = { kind };
  if (record.errorType !== undefined)
    fault.errorType = expectString(`${argument}.errorType`, record.errorType);
  if (record.message !== undefined) fault.message = expectString(`${argument}.message`, record.message);
  return fault;
}

function parseFaultPlan(argument: string, value: unknown): BatchFaultPlan {
  const record = expectObject(argument, value);
  expectKnownKeys(argument, record, ['byCustomId', 'random']);
  const plan: BatchFaultPlan = {};
  if (record.byCustomId !== undefined) {
    const byCustomId: Record<string, BatchItemFault | BatchItemFault[]> = {};
    for (const [customId, faults] of Object.entries(
      expectObject(`${argument}.byCustomId`, record.byCustomId),
    )) {
      const where = `${argument}.byCustomId.${customId}`;
      byCustomId[customId] = Array.isArray(faults)
        ? faults.map((fault, index) => parseItemFault(`${where}[${index}]`, fault))
        : parseItemFault(where, faults);
    }
    plan.byCustomId = byCustomId;
  }
  if (record.random !== undefined) {
    const random = expectObject(`${argument}.random`, record.random);
    expectKnownKeys(`${argument}.random`, random, ['probability', 'faults']);
    const probability = expectNumber(`${argument}.random.probability`, random.probability, {
      min: 0,
      max: 1,
    });
    if (!Array.isArray(random.faults) || random.faults.length === 0) {
      throw invalidArgument(`${argument}.random.faults`, 'a non-empty array of faults', random.faults);
    }
    const faults = random.faults.map((fault, index) =>
      parseItemFault(`${argument}.random.faults[${index}]`, fault),
    );
    plan.random = { probability, faults };
  }
  return plan;
}

/** Checks `options.batches` and fills in the defaults. */
export function parseBatchOptions(argument: string, value: unknown): ResolvedBatchOptions {
  if (value === undefined) return { ...defaultBatchOptions };
  const record = expectObject(argument, value);
  expectKnownKeys(argument, record, Object.keys(defaultBatchOptions));
  const resolved: ResolvedBatchOptions = { ...defaultBatchOptions };
  for (const key of Object.keys(numberRules) as (keyof typeof numberRules)[]) {
    if (record[key] !== undefined)
      resolved[key] = expectNumber(`${argument}.${key}`, record[key], numberRules[key]);
  }
  if (record.faults !== undefined) resolved.faults = parseFaultPlan(`${argument}.faults`, record.faults);
  return resolved;
}
