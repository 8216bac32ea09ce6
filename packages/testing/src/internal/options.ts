import { type Clock, systemClock } from '@bulwark/core';
import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectString,
  invalidArgument,
} from '@bulwark/core/internal';
import type { FaultPlan } from '../fault.js';
import type { MockServerOptions, RateLimits } from '../mock-server-options.js';
import type { ServerTokenizerOptions } from '../server-tokenizer.js';
import { parseFaultPlan } from './faults.js';

/** Options with defaults applied, checked. */
export interface ResolvedOptions {
  port: number;
  seed: number;
  apiKey: string | undefined;
  outputTokens: { min: number; max: number };
  tokensPerSecond: number;
  pingIntervalMs: number;
  tokenizer: ServerTokenizerOptions;
  rateLimits: RateLimits;
  rateLimitsByModelClass: Record<string, RateLimits>;
  faults: FaultPlan;
  clock: Clock;
}

const optionNames = [
  'port',
  'seed',
  'apiKey',
  'outputTokens',
  'tokensPerSecond',
  'pingIntervalMs',
  'tokenizer',
  'rateLimits',
  'rateLimitsByModelClass',
  'faults',
  'clock',
] as const;

export function parseRateLimits(argument: string, value: unknown): RateLimits {
  const record = expectObject(argument, value);
  expectKnownKeys(argument, record, ['requestsPerMinute', 'inputTokensPerMinute', 'outputTokensPerMinute']);
  const limits: RateLimits = {};
  for (const key of ['requestsPerMinute', 'inputTokensPerMinute', 'outputTokensPerMinute'] as const) {
    if (record[key] !== undefined) limits[key] = expectNumber(`${argument}.${key}`, record[key], { min: 1 });
  }
  return limits;
}

function parseTokenizer(value: unknown): ServerTokenizerOptions {
  const record = expectObject('options.tokenizer', value);
  expectKnownKeys('options.tokenizer', record, ['ratio', 'messageOverheadTokens', 'requestOverheadTokens']);
  const tokenizer: ServerTokenizerOptions = {};
  if (record.ratio !== undefined) {
    tokenizer.ratio = expectNumber('options.tokenizer.ratio', record.ratio, { min: 0.01 });
  }
  for (const key of ['messageOverheadTokens', 'requestOverheadTokens'] as const) {
    if (record[key] !== undefined) {
      tokenizer[key] = expectNumber(`options.tokenizer.${key}`, record[key], { min: 0, integer: true });
    }
  }
  return tokenizer;
}

function parseOutputTokens(value: unknown): { min: number; max: number } {
  if (typeof value === 'number') {
    const count = expectNumber('options.outputTokens', value, { min: 1, integer: true });
    return { min: count, max: count };
  }
  const record = expectObject('options.outputTokens', value);
  expectKnownKeys('options.outputTokens', record, ['min', 'max']);
  const min = expectNumber('options.outputTokens.min', record.min, { min: 1, integer: true });
  const max = expectNumber('options.outputTokens.max', record.max, { min, integer: true });
  return { min, max };
}

export function parseMockServerOptions(options: MockServerOptions): ResolvedOptions {
  const record = expectObject('options', options);
  expectKnownKeys('options', record, optionNames);
  const {
    port = 0,
    seed = 1,
    apiKey,
    outputTokens = { min: 40, max: 400 },
    tokensPerSecond = 0,
    pingIntervalMs = 0,
    tokenizer = {},
    rateLimits = {},
    rateLimitsByModelClass = {},
    faults = {},
    clock = systemClock,
  } = options;
  const byClass: Record<string, RateLimits> = {};
  for (const [modelClass, limits] of Object.entries(
    expectObject('options.rateLimitsByModelClass', rateLimitsByModelClass),
  )) {
    byClass[modelClass] = parseRateLimits(`options.rateLimitsByModelClass.${modelClass}`, limits);
  }
  if (
    clock === null ||
    typeof clock !== 'object' ||
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function'
  ) {
    throw invalidArgument('options.clock', 'a Clock (`now` and `setTimeout`)', clock);
  }
  return {
    port: expectNumber('options.port', port, { min: 0, max: 65_535, integer: true }),
    seed: expectNumber('options.seed', seed, { integer: true }),
    apiKey: apiKey === undefined ? undefined : expectString('options.apiKey', apiKey),
    outputTokens: parseOutputTokens(outputTokens),
    tokensPerSecond: expectNumber('options.tokensPerSecond', tokensPerSecond, { min: 0 }),
    pingIntervalMs: expectNumber('options.pingIntervalMs', pingIntervalMs, { min: 0 }),
    tokenizer: parseTokenizer(tokenizer),
    rateLimits: parseRateLimits('options.rateLimits', rateLimits),
    rateLimitsByModelClass: byClass,
    faults: parseFaultPlan('options.faults', faults),
    clock,
  };
}
