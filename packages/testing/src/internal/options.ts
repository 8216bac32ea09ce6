import { type Clock, systemClock } from '@bulwark/core';
import {
  type DefaultedRule,
  defineOptions,
  expectKnownKeys,
  expectNumber,
  expectObject,
  option,
  parseOptions,
} from '@bulwark/core/internal';
import type { FaultPlan } from '../fault.js';
import type { MockBatchOptions } from '../mock-batch-options.js';
import type { MockRateLimits, MockServerOptions } from '../mock-server-options.js';
import type { ServerTokenizerOptions } from '../server-tokenizer.js';
import { defaultBatchOptions, parseBatchOptions, type ResolvedBatchOptions } from './batches/options.js';
import { parseFaultPlan } from './faults.js';

const rateLimitsOptions = defineOptions<MockRateLimits>()({
  requestsPerMinute: option.number({ min: 1 }),
  inputTokensPerMinute: option.number({ min: 1 }),
  outputTokensPerMinute: option.number({ min: 1 }),
});

/** A rule of this file's own kind, with its default. */
function rule<TValue>(
  defaultValue: TValue,
  check: (argument: string, value: unknown) => TValue,
): DefaultedRule<TValue> {
  return { default: defaultValue, check };
}

/** The options that were given, without the left-out ones, so they can be spread over defaults. */
function givenOnly<TOptions extends object>(parsed: { [Key in keyof TOptions]: TOptions[Key] | undefined }) {
  return Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as TOptions;
}

function checkRateLimits(argument: string, value: unknown): MockRateLimits {
  return givenOnly<MockRateLimits>(parseOptions(argument, value, rateLimitsOptions));
}

function checkRateLimitsByModelClass(argument: string, value: unknown): Record<string, MockRateLimits> {
  const byClass: Record<string, MockRateLimits> = {};
  for (const [modelClass, limits] of Object.entries(expectObject(argument, value))) {
    byClass[modelClass] = checkRateLimits(`${argument}.${modelClass}`, limits);
  }
  return byClass;
}

const tokenizerOptions = defineOptions<ServerTokenizerOptions>()({
  ratio: option.number({ min: 0.01 }),
  messageOverheadTokens: option.number({ min: 0, integer: true }),
  requestOverheadTokens: option.number({ min: 0, integer: true }),
});

function checkOutputTokens(argument: string, value: unknown): { min: number; max: number } {
  if (typeof value === 'number') {
    const count = expectNumber(argument, value, { min: 1, integer: true });
    return { min: count, max: count };
  }
  const record = expectObject(argument, value);
  expectKnownKeys(argument, record, ['min', 'max']);
  const min = expectNumber(`${argument}.min`, record.min, { min: 1, integer: true });
  const max = expectNumber(`${argument}.max`, record.max, { min, integer: true });
  return { min, max };
}

function isClock(value: object): boolean {
  const clock = value as Partial<Clock>;
  return typeof clock.now === 'function' && typeof clock.setTimeout === 'function';
}

/** The options of `startMockServer`: one rule and default each (the interface documents them). */
const mockServerOptions = defineOptions<MockServerOptions>()({
  port: option.number({ min: 0, max: 65_535, integer: true, default: 0 }),
  seed: option.number({ integer: true, default: 1 }),
  apiKey: option.string(),
  outputTokens: rule({ min: 40, max: 400 }, checkOutputTokens),
  tokensPerSecond: option.number({ min: 0, default: 0 }),
  pingIntervalMs: option.number({ min: 0, default: 0 }),
  tokenizer: rule<ServerTokenizerOptions>({}, (argument, value) =>
    givenOnly(parseOptions(argument, value, tokenizerOptions)),
  ),
  rateLimits: rule<MockRateLimits>({}, checkRateLimits),
  rateLimitsByModelClass: rule({}, checkRateLimitsByModelClass),
  faults: rule<FaultPlan>({}, parseFaultPlan),
  batches: rule<MockBatchOptions>(defaultBatchOptions, parseBatchOptions),
  clock: option.instance<Clock, { default: Clock }>('a Clock (`now` and `setTimeout`)', isClock, {
    default: systemClock,
  }),
});

/** `startMockServer`'s options checked, with defaults applied. */
export function parseMockServerOptions(options: MockServerOptions) {
  const resolved = parseOptions('options', options, mockServerOptions);
  // `checkOutputTokens` turns a single number into a range; the interface's type allows both.
  return {
    ...resolved,
    outputTokens: resolved.outputTokens as { min: number; max: number },
    batches: resolved.batches as ResolvedBatchOptions,
  };
}

/** Options with defaults applied, checked. */
export type ResolvedOptions = ReturnType<typeof parseMockServerOptions>;
