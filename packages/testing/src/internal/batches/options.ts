import {
  type DefaultedRule,
  defineOptions,
  expectObject,
  invalidArgument,
  type OptionRule,
  option,
  parseOptions,
} from '@bulwark/core/internal';
import type { BatchFaultPlan, BatchItemFault, MockBatchOptions } from '../../mock-batch-options.js';

/** `MockBatchOptions` with defaults applied, checked. */
export type ResolvedBatchOptions = Required<Omit<MockBatchOptions, 'faults' | 'dropResultsAfterLines'>> & {
  faults: BatchFaultPlan;
  dropResultsAfterLines: number | undefined;
};

type RandomBatchFaults = NonNullable<BatchFaultPlan['random']>;

/** A fault's fields besides `kind`, checked with `kind` itself (already read) passing through. */
const kindOnlyOptions = defineOptions<{ kind?: string }>()({ kind: option.string() });
const erroredOptions = defineOptions<
  Omit<Extract<BatchItemFault, { kind: 'errored' }>, 'kind'> & { kind?: string }
>()({
  kind: option.string(),
  errorType: option.string(),
  message: option.string(),
});

function checkItemFault(argument: string, value: unknown): BatchItemFault {
  const kind = expectObject(argument, value).kind;
  if (kind === 'expired' || kind === 'canceled') {
    parseOptions(argument, value, kindOnlyOptions);
    return { kind };
  }
  if (kind !== 'errored')
    throw invalidArgument(`${argument}.kind`, 'one of `errored`, `expired`, `canceled`', kind);
  const { errorType, message } = parseOptions(argument, value, erroredOptions);
  return {
    kind,
    ...(errorType === undefined ? {} : { errorType }),
    ...(message === undefined ? {} : { message }),
  };
}

function checkItemFaults(argument: string, value: unknown): BatchItemFault[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidArgument(argument, 'a non-empty array of faults', value);
  return value.map((fault, index) => checkItemFault(`${argument}[${index}]`, fault));
}

const randomOptions = defineOptions<Partial<RandomBatchFaults>>()({
  probability: option.number({ min: 0, max: 1 }),
  faults: { check: checkItemFaults } satisfies OptionRule<BatchItemFault[]>,
});

const faultPlanOptions = defineOptions<BatchFaultPlan>()({
  byCustomId: {
    check: (argument, value) =>
      Object.fromEntries(
        Object.entries(expectObject(argument, value)).map(([customId, faults]) => [
          customId,
          Array.isArray(faults)
            ? checkItemFaults(`${argument}.${customId}`, faults)
            : checkItemFault(`${argument}.${customId}`, faults),
        ]),
      ),
  },
  random: {
    check(argument, value): RandomBatchFaults {
      const { probability, faults } = parseOptions(argument, value, randomOptions);
      if (probability === undefined)
        throw invalidArgument(`${argument}.probability`, 'a number from 0 to 1', probability);
      return { probability, faults: faults ?? checkItemFaults(`${argument}.faults`, faults) };
    },
  },
});

const faultPlanRule: DefaultedRule<BatchFaultPlan> = {
  default: {},
  check: (argument, value) => {
    const { byCustomId, random } = parseOptions(argument, value, faultPlanOptions);
    return { ...(byCustomId ? { byCustomId } : {}), ...(random ? { random } : {}) };
  },
};

/** The rules and defaults of `options.batches`, declared once. */
const batchOptions = defineOptions<MockBatchOptions>()({
  requestsPerSecond: option.number({ min: 0.001, default: 1_000 }),
  queueLimit: option.number({ min: 1, integer: true, default: 1_000_000 }),
  maxRequestsPerBatch: option.number({ min: 1, integer: true, default: 100_000 }),
  maxBatchBytes: option.number({ min: 1, integer: true, default: 256 * 1024 * 1024 }),
  expiresAfterMs: option.number({ min: 1, default: 24 * 60 * 60 * 1000 }),
  cancelDelayMs: option.number({ min: 0, default: 1_000 }),
  faults: faultPlanRule,
  dropResultsAfterLines: option.number({ min: 0, integer: true }),
  resultPaddingBytes: option.number({ min: 0, integer: true, default: 0 }),
});

/** Checks `options.batches` and fills in the defaults. */
export function parseBatchOptions(argument: string, value: unknown): ResolvedBatchOptions {
  return parseOptions(argument, value, batchOptions);
}

export const defaultBatchOptions: ResolvedBatchOptions = parseBatchOptions('options.batches', undefined);
