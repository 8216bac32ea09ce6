import Anthropic from '@anthropic-ai/sdk';
import { type Bus, createBus } from '@bulwark/core';
import { type OptionGroup, parseOptions, type ResolvedOptions } from '@bulwark/core/internal';
import { retryOptions, type StreamingClientOptions, streamingClientOptions } from '../options.js';

/** What `parseOptions` makes of a group: every option with a default is set. */
type Parsed<TGroup> =
  TGroup extends OptionGroup<infer TOptions, infer TSchema> ? ResolvedOptions<TOptions, TSchema> : never;

/** `options.retry`, checked, with every default filled in. */
export type RetrySettings = Parsed<typeof retryOptions>;

/** The client's options, checked, with defaults filled in and a client and a bus made when left out. */
export type ClientSettings = Omit<Parsed<typeof streamingClientOptions>, 'client' | 'bus' | 'retry'> & {
  readonly client: Anthropic;
  readonly bus: Bus;
  readonly retry: RetrySettings;
};

/**
 * Checks the options of `createStreamingClient` (unknown keys refused by name), fills in the
 * defaults, and makes what each client needs its own of: a bus, and an SDK client (with its
 * retries off) from `apiKey` / `baseURL` when none is given.
 */
export function parseClientSettings(options: StreamingClientOptions): ClientSettings {
  const parsed = parseOptions('options', options, streamingClientOptions);
  const { apiKey, baseURL } = parsed;
  return {
    ...parsed,
    // `options.retry` was checked with the rest; this fills in its defaults.
    retry: parseOptions('options.retry', parsed.retry, retryOptions),
    bus: parsed.bus ?? createBus(),
    client:
      parsed.client ??
      new Anthropic({
        maxRetries: 0,
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(baseURL === undefined ? {} : { baseURL }),
      }),
  };
}
