/**
 * Response headers as any runtime hands them over: a fetch `Headers`, or a plain object
 * (Node's `IncomingHttpHeaders`, a test's literal) with names in any case.
 */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** Reads one header by case-insensitive name; a repeated header gives its first value. */
export function getHeader(headers: HeadersLike | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | number | undefined>>;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = record[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number') return String(value);
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms`, then `retry-after` in
 * seconds or as an HTTP date (relative to `nowMs`). `undefined` when neither is usable.
 */
export function parseRetryAfterMs(
  headers: HeadersLike | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const milliseconds = getHeader(headers, 'retry-after-ms');
  if (milliseconds !== undefined) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = getHeader(headers, 'retry-after');
  if (retryAfter === undefined) return undefined;
  const trimmed = retryAfter.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number.parseFloat(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
