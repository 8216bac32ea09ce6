import type { Bus, Clock } from '@bulwark/core';
import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOptionalNumber,
  expectString,
  invalidArgument,
} from '@bulwark/core/internal';
import { type BudgetPeriod, type Budgets, budgetPeriods, type PriceTable } from './budgets.js';
import type { OutputReservation } from './internal/output-estimator.js';
import type { RateLimitStore } from './store.js';

/** The limits of one model class. Every field is optional; a missing one may be learnt from headers. */
export interface RateLimits {
  /** Requests per minute (RPM). */
  requestsPerMinute?: number;
  /** Input tokens per minute (ITPM): uncached input plus cache writes. */
  inputTokensPerMinute?: number;
  /** Output tokens per minute (OTPM), counted as generated. */
  outputTokensPerMinute?: number;
  /** Calls of this class in flight at once, in this process. */
  maxInFlight?: number;
}

export interface RateLimiterOptions {
  /** Limits for every model class. @default {} (learnt from headers) */
  limits?: RateLimits;
  /** Per-class overrides of `limits`, by model class (`claude-sonnet-4`). @default {} */
  limitsByModelClass?: Readonly<Record<string, RateLimits>>;
  /**
   * Adopt the limits the server reports in `anthropic-ratelimit-*-limit` headers. With a
   * configured limit too, the lower of the two applies. @default true
   */
  learnLimitsFromHeaders?: boolean;
  /**
   * Conservative limits for buckets neither configured nor learnt yet. Until the first response
   * of a class is observed, such a class also admits one call at a time. @default { requestsPerMinute: 50, inputTokensPerMinute: 30000, outputTokensPerMinute: 8000 }
   */
  initialLimits?: Omit<RateLimits, 'maxInFlight'>;
  /** Extra model id → model class entries; they win over the built-in mapping. @default {} */
  modelClasses?: Readonly<Record<string, string>>;
  /** The class of model ids that neither `modelClasses` nor the built-in mapping knows. @default none: such ids are refused */
  defaultModelClass?: string;
  /** Output held per call: a running `estimate` per model, the call's `max_tokens`, or `{ fixedTokens }`. @default 'estimate' */
  outputReservation?: OutputReservation;
  /** Whether cache reads count toward input tokens per minute for `model`. @default () => false */
  countsCacheReads?: (model: string) => boolean;
  /** Where the buckets live. @default createMemoryStore({ clock }) */
  store?: RateLimitStore;
  /** Scope of the buckets in the store (one per API key or organisation). @default 'default' */
  namespace?: string;
  /** @default systemClock */
  clock?: Clock;
  /** Events go here; `usage` events on it reconcile reservations made with a `requestId`. @default a private bus */
  bus?: Bus;
  /** Longest a caller waits before `WaitTimeoutError`; refused at once when the wait is known to be longer. @default Infinity */
  maxWaitMs?: number;
  /** Most callers waiting per model class before `QueueFullError`. @default Infinity */
  maxQueueLength?: number;
  /** A waiter's priority rises by one for every this many ms it waits. @default 30000 */
  priorityAgingMs?: number;
  /** Pause after a 429 that carries no `retry-after`. @default 1000 */
  throttleWithoutRetryAfterMs?: number;
  /** How long calls are refused with `SpendLimitError` after a spend-limit 429. @default 60000 */
  spendLimitPauseMs?: number;
  /** Token and cost caps per UTC hour, day and month. @default {} */
  budgets?: Budgets;
  /** US dollars per million tokens by model id or class, for cost budgets and `usage()`. @default {} */
  prices?: PriceTable;
}

const limitKeys = [
  'requestsPerMinute',
  'inputTokensPerMinute',
  'outputTokensPerMinute',
  'maxInFlight',
] as const;

function expectPositive(argument: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(argument, 'a finite number > 0', value);
  }
  return value;
}

/** Validates a `RateLimits` object and returns a copy without undefined fields. */
export function validateLimits(argument: string, value: unknown, allowInFlight = true): RateLimits {
  const limits = expectObject(argument, value);
  expectKnownKeys(argument, limits, allowInFlight ? limitKeys : limitKeys.slice(0, 3));
  const result: RateLimits = {};
  for (const key of limitKeys) {
    const number =
      key === 'maxInFlight'
        ? expectOptionalNumber(`${argument}.${key}`, limits[key], { min: 1, integer: true })
        : expectPositive(`${argument}.${key}`, limits[key]);
    if (number !== undefined) result[key] = number;
  }
  return result;
}

function validatePrices(value: unknown): PriceTable {
  const table = expectObject('options.prices', value);
  for (const [model, price] of Object.entries(table)) {
    const argument = `options.prices[${JSON.stringify(model)}]`;
    const fields = expectObject(argument, price);
    expectKnownKeys(argument, fields, [
      'inputPerMillionTokens',
      'outputPerMillionTokens',
      'cacheWritePerMillionTokens',
      'cacheReadPerMillionTokens',
    ]);
    expectNumber(`${argument}.inputPerMillionTokens`, fields.inputPerMillionTokens, { min: 0 });
    expectNumber(`${argument}.outputPerMillionTokens`, fields.outputPerMillionTokens, { min: 0 });
    expectOptionalNumber(`${argument}.cacheWritePerMillionTokens`, fields.cacheWritePerMillionTokens, {
      min: 0,
    });
    expectOptionalNumber(`${argument}.cacheReadPerMillionTokens`, fields.cacheReadPerMillionTokens, {
      min: 0,
    });
  }
  return table as PriceTable;
}

function validateBudgets(value: unknown): Budgets {
  const budgets = expectObject('options.budgets', value);
  expectKnownKeys('options.budgets', budgets, budgetPeriods);
  for (const period of Object.keys(budgets) as BudgetPeriod[]) {
    const argument = `options.budgets.${period}`;
    const cap = expectObject(argument, budgets[period]);
    expectKnownKeys(argument, cap, ['maxTokens', 'maxCostUsd']);
    expectOptionalNumber(`${argument}.maxTokens`, cap.maxTokens, { min: 0 });
    expectOptionalNumber(`${argument}.maxCostUsd`, cap.maxCostUsd, { min: 0 });
  }
  return budgets as Budgets;
}

function validateOutputReservation(value: unknown): OutputReservation {
  if (value === 'estimate' || value === 'max_tokens') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    expectKnownKeys('options.outputReservation', value, ['fixedTokens']);
    const fixedTokens = expectNumber(
      'options.outputReservation.fixedTokens',
      (value as { fixedTokens?: unknown }).fixedTokens,
      { min: 0 },
    );
    return { fixedTokens };
  }
  throw invalidArgument(
    'options.outputReservation',
    "`'estimate'`, `'max_tokens'` or `{ fixedTokens }`",
    value,
  );
}

const optionKeys = [
  'limits',
  'limitsByModelClass',
  'learnLimitsFromHeaders',
  'initialLimits',
  'modelClasses',
  'defaultModelClass',
  'outputReservation',
  'countsCacheReads',
  'store',
  'namespace',
  'clock',
  'bus',
  'maxWaitMs',
  'maxQueueLength',
  'priorityAgingMs',
  'throttleWithoutRetryAfterMs',
  'spendLimitPauseMs',
  'budgets',
  'prices',
] as const satisfies readonly (keyof RateLimiterOptions)[];

/** Checks every option up front; throws `InvalidArgumentError` naming the first bad one. */
export function validateRateLimiterOptions(options: unknown): RateLimiterOptions {
  const record = expectObject('options', options);
  expectKnownKeys('options', record, optionKeys);
  if (record.limits !== undefined) validateLimits('options.limits', record.limits);
  if (record.limitsByModelClass !== undefined) {
    const byClass = expectObject('options.limitsByModelClass', record.limitsByModelClass);
    for (const [modelClass, limits] of Object.entries(byClass)) {
      validateLimits(`options.limitsByModelClass[${JSON.stringify(modelClass)}]`, limits);
    }
  }
  if (record.initialLimits !== undefined)
    validateLimits('options.initialLimits', record.initialLimits, false);
  if (record.learnLimitsFromHeaders !== undefined && typeof record.learnLimitsFromHeaders !== 'boolean') {
    throw invalidArgument('options.learnLimitsFromHeaders', 'a boolean', record.learnLimitsFromHeaders);
  }
  if (record.modelClasses !== undefined) {
    const classes = expectObject('options.modelClasses', record.modelClasses);
    for (const [model, modelClass] of Object.entries(classes)) {
      expectString(`options.modelClasses[${JSON.stringify(model)}]`, modelClass);
    }
  }
  if (record.defaultModelClass !== undefined)
    expectString('options.defaultModelClass', record.defaultModelClass);
  if (record.namespace !== undefined) expectString('options.namespace', record.namespace);
  if (record.outputReservation !== undefined) validateOutputReservation(record.outputReservation);
  if (record.countsCacheReads !== undefined && typeof record.countsCacheReads !== 'function') {
    throw invalidArgument('options.countsCacheReads', 'a function', record.countsCacheReads);
  }
  for (const key of ['store', 'clock', 'bus'] as const) {
    if (record[key] !== undefined) expectObject(`options.${key}`, record[key]);
  }
  expectOptionalNumber('options.maxWaitMs', record.maxWaitMs, { min: 0, allowInfinity: true });
  expectOptionalNumber('options.maxQueueLength', record.maxQueueLength, { min: 0, allowInfinity: true });
  expectPositive(
    'options.priorityAgingMs',
    record.priorityAgingMs === Number.POSITIVE_INFINITY ? 1 : record.priorityAgingMs,
  );
  expectOptionalNumber('options.throttleWithoutRetryAfterMs', record.throttleWithoutRetryAfterMs, { min: 0 });
  expectOptionalNumber('options.spendLimitPauseMs', record.spendLimitPauseMs, { min: 0 });
  if (record.budgets !== undefined) validateBudgets(record.budgets);
  if (record.prices !== undefined) validatePrices(record.prices);
  return record as RateLimiterOptions;
}
