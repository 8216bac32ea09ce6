import type { Bus, Clock, ModelPrice, PriceTable } from '@bulwark/core';
import { systemClock } from '@bulwark/core';
import {
  defineOptions,
  expectNumber,
  expectObject,
  expectString,
  invalidArgument,
  type OptionGroup,
  type OptionRule,
  type OptionSchema,
  option,
  parseOptions,
} from '@bulwark/core/internal';
import type { BudgetCap, Budgets } from './budgets.js';
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

/**
 * What the limiter holds for output before it knows how much a call will generate: a running
 * `estimate` per model (the average real output + 25 %, `max_tokens` until the model has been
 * seen), the call's `max_tokens`, or a fixed number of tokens (never more than `max_tokens`).
 */
export type OutputReservation = 'estimate' | 'max_tokens' | { fixedTokens: number };

/**
 * How the limiter behaves, apart from what it is wired to (its clock and bus). The bundle
 * `bulwark` takes these same options and passes them through.
 */
export interface RateLimiterBehaviourOptions {
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
  /** Output held per call. @default 'estimate' */
  outputReservation?: OutputReservation;
  /** Whether cache reads count toward input tokens per minute for `model`. @default () => false */
  countsCacheReads?: (model: string) => boolean;
  /** Where the buckets live. @default createMemoryStore({ clock }) */
  store?: RateLimitStore;
  /** Scope of the buckets in the store (one per API key or organisation). @default 'default' */
  namespace?: string;
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

/** Options of `createRateLimiter`: how it behaves, and its clock and bus. */
export interface RateLimiterOptions extends RateLimiterBehaviourOptions {
  /** @default systemClock */
  clock?: Clock;
  /** Where the limiter's events go, for observers. @default a private bus */
  bus?: Bus;
}

/** A number > 0 (per-minute limits, the aging step); `Infinity` too when `allowInfinity`. */
function positiveNumber({ allowInfinity = false } = {}): OptionRule<number> {
  return {
    check(argument, value) {
      const ok = typeof value === 'number' && value > 0 && (allowInfinity || Number.isFinite(value));
      if (!ok) throw invalidArgument(argument, allowInfinity ? 'a number > 0' : 'a finite number > 0', value);
      return value;
    },
  };
}

/** A nested group whose result keeps only the options given (so spreading it never erases one). */
function givenOnly<TGroup extends object>(
  group: OptionGroup<TGroup, OptionSchema<TGroup>>,
): OptionRule<TGroup> {
  return {
    check(argument, value) {
      const parsed = parseOptions(argument, value, group) as Record<string, unknown>;
      for (const key of Object.keys(parsed)) if (parsed[key] === undefined) delete parsed[key];
      return parsed as TGroup;
    },
  };
}

/** A table by model id or class, each entry checked by `entry` and named `argument["key"]`. */
function tableOf<TEntry>(entry: OptionRule<TEntry>) {
  return {
    default: {} as Readonly<Record<string, TEntry>>,
    check(argument: string, value: unknown): Readonly<Record<string, TEntry>> {
      const table = expectObject(argument, value);
      const result: Record<string, TEntry> = {};
      for (const [key, item] of Object.entries(table)) {
        result[key] = entry.check(`${argument}[${JSON.stringify(key)}]`, item);
      }
      return result;
    },
  };
}

const perMinuteLimitOptions = defineOptions<Omit<RateLimits, 'maxInFlight'>>()({
  requestsPerMinute: positiveNumber(),
  inputTokensPerMinute: positiveNumber(),
  outputTokensPerMinute: positiveNumber(),
});

const rateLimitOptions = defineOptions<RateLimits>()({
  ...perMinuteLimitOptions.rules,
  maxInFlight: option.number({ min: 1, integer: true }),
});

const budgetCapOptions = defineOptions<BudgetCap>()({
  maxTokens: option.number({ min: 0 }),
  maxCostUsd: option.number({ min: 0 }),
});

const budgetOptions = defineOptions<Budgets>()({
  hour: givenOnly(budgetCapOptions),
  day: givenOnly(budgetCapOptions),
  month: givenOnly(budgetCapOptions),
});

const modelPriceOptions = defineOptions<ModelPrice>()({
  inputPerMillionTokens: option.number({ min: 0 }),
  outputPerMillionTokens: option.number({ min: 0 }),
  cacheWritePerMillionTokens: option.number({ min: 0 }),
  cacheReadPerMillionTokens: option.number({ min: 0 }),
});

const modelPrice: OptionRule<ModelPrice> = {
  check(argument, value) {
    const price = givenOnly(modelPriceOptions).check(argument, value);
    // Both rates are required: a price without one would count that side as free.
    expectNumber(`${argument}.inputPerMillionTokens`, price.inputPerMillionTokens, { min: 0 });
    expectNumber(`${argument}.outputPerMillionTokens`, price.outputPerMillionTokens, { min: 0 });
    return price;
  },
};

const outputReservation = {
  default: 'estimate',
  check(argument: string, value: unknown): OutputReservation {
    if (value === 'estimate' || value === 'max_tokens') return value;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { fixedTokens } = parseOptions(argument, value, fixedOutputOptions);
      return { fixedTokens: expectNumber(`${argument}.fixedTokens`, fixedTokens, { min: 0 }) };
    }
    throw invalidArgument(argument, "`'estimate'`, `'max_tokens'` or `{ fixedTokens }`", value);
  },
} as const;

const fixedOutputOptions = defineOptions<{ fixedTokens: number }>()({
  fixedTokens: option.number({ min: 0 }),
});

type CountsCacheReads = (model: string) => boolean;

const isStore = (value: object): boolean =>
  (['take', 'adjust', 'sync', 'throttle', 'peek'] as const).every(
    (method) => typeof (value as Partial<RateLimitStore>)[method] === 'function',
  );

/** The rules and defaults of `RateLimiterBehaviourOptions`. */
export const rateLimiterBehaviourOptions = defineOptions<RateLimiterBehaviourOptions>()({
  limits: { ...givenOnly(rateLimitOptions), default: {} },
  limitsByModelClass: tableOf(givenOnly(rateLimitOptions)),
  learnLimitsFromHeaders: option.boolean({ default: true }),
  initialLimits: {
    ...givenOnly(perMinuteLimitOptions),
    default: { requestsPerMinute: 50, inputTokensPerMinute: 30_000, outputTokensPerMinute: 8_000 },
  },
  modelClasses: tableOf<string>({ check: (argument, value) => expectString(argument, value) }),
  defaultModelClass: option.string(),
  outputReservation,
  countsCacheReads: option.function<CountsCacheReads, { default: CountsCacheReads }>({
    default: () => false,
  }),
  // No default here: the default memory store is made per limiter, on the limiter's clock.
  store: option.instance<RateLimitStore>('a RateLimitStore (take, adjust, sync, throttle, peek)', isStore),
  namespace: option.string({ default: 'default' }),
  maxWaitMs: option.number({ min: 0, allowInfinity: true, default: Number.POSITIVE_INFINITY }),
  maxQueueLength: option.number({ min: 0, allowInfinity: true, default: Number.POSITIVE_INFINITY }),
  priorityAgingMs: { ...positiveNumber({ allowInfinity: true }), default: 30_000 },
  throttleWithoutRetryAfterMs: option.number({ min: 0, default: 1_000 }),
  spendLimitPauseMs: option.number({ min: 0, default: 60_000 }),
  budgets: { ...givenOnly(budgetOptions), default: {} },
  prices: tableOf(modelPrice),
});

/** Every option of `createRateLimiter`, declared once with its default. */
export const rateLimiterOptions = defineOptions<RateLimiterOptions>()({
  clock: option.instance<Clock, { default: Clock }>(
    'a Clock (now, setTimeout)',
    (value) =>
      typeof (value as Clock).now === 'function' && typeof (value as Clock).setTimeout === 'function',
    { default: systemClock },
  ),
  // No default here: each limiter makes its own private bus.
  bus: option.instance<Bus>('a Bus', (value) => typeof (value as Bus).emit === 'function'),
  ...rateLimiterBehaviourOptions.rules,
});

/** Checks every option up front (`InvalidArgumentError` names the first bad one) and fills in defaults. */
export function parseRateLimiterOptions(options: unknown) {
  return parseOptions('options', options, rateLimiterOptions);
}

/** The options after `parseRateLimiterOptions`. */
export type RateLimiterSettings = ReturnType<typeof parseRateLimiterOptions>;
