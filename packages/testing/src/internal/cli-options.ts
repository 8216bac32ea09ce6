import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { invalidArgument } from '@bulwark/core/internal';
import type { MockRateLimits, MockServerOptions } from '../mock-server-options.js';

export const cliUsage = `Usage: bulwark-mock [options]

Runs the @bulwark/testing Messages API server on 127.0.0.1 until Ctrl-C.

  --port <n>                      port (default 4010; 0 picks a free one)
  --seed <n>                      seed of all generated text and random faults (default 1)
  --api-key <key>                 require this key (x-api-key or Bearer)
  --output-tokens <n|min-max>     answer length in server tokens (default 40-400)
  --tokens-per-second <n>         pacing of streamed output (default 60; 0 = instant)
  --ping-interval-ms <n>          ping events while streaming (default 0 = none)
  --tokenizer-ratio <x>           scale of cl100k counts (default 1.2)
  --requests-per-minute <n>       rate limit for every model class
  --input-tokens-per-minute <n>   rate limit for every model class
  --output-tokens-per-minute <n>  rate limit for every model class
  --faults <json|file>            a FaultPlan as JSON, or a path to a JSON file
  --help                          this text
`;

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw invalidArgument(`--${name}`, 'a number', value);
  return parsed;
}

/** Turns `bulwark-mock` arguments into `startMockServer` options (`undefined` for `--help`). */
export function parseCliOptions(argv: string[]): MockServerOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      'api-key': { type: 'string' },
      'output-tokens': { type: 'string' },
      'tokens-per-second': { type: 'string' },
      'ping-interval-ms': { type: 'string' },
      'tokenizer-ratio': { type: 'string' },
      'requests-per-minute': { type: 'string' },
      'input-tokens-per-minute': { type: 'string' },
      'output-tokens-per-minute': { type: 'string' },
      faults: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  const options: MockServerOptions = {
    port: numberOption('port', values.port) ?? 4010,
    tokensPerSecond: numberOption('tokens-per-second', values['tokens-per-second']) ?? 60,
  };
  const seed = numberOption('seed', values.seed);
  if (seed !== undefined) options.seed = seed;
  if (values['api-key'] !== undefined) options.apiKey = values['api-key'];
  const pingIntervalMs = numberOption('ping-interval-ms', values['ping-interval-ms']);
  if (pingIntervalMs !== undefined) options.pingIntervalMs = pingIntervalMs;
  const ratio = numberOption('tokenizer-ratio', values['tokenizer-ratio']);
  if (ratio !== undefined) options.tokenizer = { ratio };
  const length = values['output-tokens'];
  if (length !== undefined) {
    const range = /^(\d+)-(\d+)$/.exec(length);
    options.outputTokens = range
      ? { min: Number(range[1]), max: Number(range[2]) }
      : (numberOption('output-tokens', length) as number);
  }
  const limits: MockRateLimits = {};
  const requestsPerMinute = numberOption('requests-per-minute', values['requests-per-minute']);
  if (requestsPerMinute !== undefined) limits.requestsPerMinute = requestsPerMinute;
  const inputPerMinute = numberOption('input-tokens-per-minute', values['input-tokens-per-minute']);
  if (inputPerMinute !== undefined) limits.inputTokensPerMinute = inputPerMinute;
  const outputPerMinute = numberOption('output-tokens-per-minute', values['output-tokens-per-minute']);
  if (outputPerMinute !== undefined) limits.outputTokensPerMinute = outputPerMinute;
  if (Object.keys(limits).length > 0) options.rateLimits = limits;
  if (values.faults !== undefined) {
    const source = values.faults.trimStart().startsWith('{')
      ? values.faults
      : readFileSync(values.faults, 'utf8');
    try {
      options.faults = JSON.parse(source);
    } catch {
      throw invalidArgument('--faults', 'a FaultPlan as JSON or the path of a JSON file', values.faults);
    }
  }
  return options;
}
