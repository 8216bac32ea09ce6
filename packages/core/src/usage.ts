/**
 * Token usage of one or more Messages API calls, mirroring the API's `usage` fields in
 * camelCase. Use `usageFromApi` to read the SDK's snake_case object.
 */
export interface Usage {
  /** Uncached input tokens (`input_tokens`). */
  inputTokens: number;
  /** Generated tokens (`output_tokens`). */
  outputTokens: number;
  /** Input tokens written to the prompt cache (`cache_creation_input_tokens`). */
  cacheCreationInputTokens: number;
  /** Input tokens read from the prompt cache (`cache_read_input_tokens`). */
  cacheReadInputTokens: number;
}

/** The API's usage object as the SDK types it; every field may be missing or null. */
export interface ApiUsageLike {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** A usage of zero tokens. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
}

/** Reads the API's snake_case usage, treating missing and null fields as 0. */
export function usageFromApi(usage: ApiUsageLike | null | undefined): Usage {
  return {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cacheCreationInputTokens: usage?.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: usage?.cache_read_input_tokens ?? 0,
  };
}

/** The sum of two usages, field by field (for totals over several calls or attempts). */
export function addUsage(left: Usage, right: Usage): Usage {
  return {
    inputTokens: left.inputTokens + right.inputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
    cacheCreationInputTokens: left.cacheCreationInputTokens + right.cacheCreationInputTokens,
    cacheReadInputTokens: left.cacheReadInputTokens + right.cacheReadInputTokens,
  };
}

/** The sum of any number of usages. */
export function sumUsage(usages: Iterable<Usage>): Usage {
  let total = emptyUsage();
  for (const usage of usages) total = addUsage(total, usage);
  return total;
}

/**
 * All input tokens the model read: uncached, cache writes and cache reads. This is what the
 * context window holds; rate limits count less (see `rateLimitedInputTokens`).
 */
export function totalInputTokens(usage: Usage): number {
  return usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
}

/**
 * Input tokens that count toward an input-tokens-per-minute limit: uncached input plus cache
 * writes. Cache reads do not count for most models; pass `countCacheReads` for those where they do.
 */
export function rateLimitedInputTokens(usage: Usage, { countCacheReads = false } = {}): number {
  return (
    usage.inputTokens + usage.cacheCreationInputTokens + (countCacheReads ? usage.cacheReadInputTokens : 0)
  );
}
