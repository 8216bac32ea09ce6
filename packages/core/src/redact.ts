/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

const secretKeyNames = new Set([
  'x-api-key',
  'api-key',
  'apikey',
  'api_key',
  'anthropic-api-key',
  'anthropic_api_key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'token',
  'accesstoken',
  'access_token',
  'authtoken',
  'auth_token',
]);

// Anthropic keys (sk-ant-api03-..., sk-ant-admin01-...), bearer credentials, and
// `x-api-key: value` pairs written into free text such as error messages.
const secretPatterns: ReadonlyArray<[RegExp, string]> = [
  [/sk-ant-[A-Za-z0-9_-]+/g, `sk-ant-${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [
    /\b(x-api-key|api[-_]?key|authorization)(["']?\s*[:=]\s*["']?)(?!Bearer\s|Basic\s|\[REDACTED\])([^\s"',;}]+)/gi,
    `$1$2${REDACTED}`,
  ],
];

function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase();
  return secretKeyNames.has(normalized) || normalized.endsWith('apikey') || normalized.endsWith('api_key');
}

function redactString(text: string): string {
  let result = text;
  for (const [pattern, replacement] of secretPatterns) result = result.replace(pattern, replacement);
  return result;
}

interface HeadersIterable {
  forEach(callback: (value: string, key: string) => void): void;
  get(name: string): string | null;
}

function isHeaders(value: object): value is HeadersIterable {
  return (
    typeof (value as HeadersIterable).forEach === 'function' &&
    typeof (value as HeadersIterable).get === 'function' &&
    !Array.isArray(value) &&
    !(value instanceof Map)
  );
}

function redactValue(value: unknown, seen: WeakMap<object, unknown>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (depth > 32) return '[Truncated]';

  if (value instanceof Error) {
    const copy: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
    seen.set(value, copy);
    if (value.stack) copy.stack = redactString(value.stack);
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = isSecretKey(key) ? REDACTED : redactValue(inner, seen, depth + 1);
    }
    if (value.cause !== undefined) copy.cause = redactValue(value.cause, seen, depth + 1);
    return copy;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(redactValue(item, seen, depth + 1));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    seen.set(value, copy);
    for (const [key, inner] of value) {
      copy.set(
        key,
        typeof key === 'string' && isSecretKey(key) ? REDACTED : redactValue(inner, seen, depth + 1),
      );
    }
    return copy;
  }
  if (isHeaders(value)) {
    const copy: Record<string, string> = {};
    seen.set(value, copy);
    value.forEach((inner, key) => {
      copy[key] = isSecretKey(key) ? REDACTED : redactString(inner);
    });
    return copy;
  }
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = isSecretKey(key) ? REDACTED : redactValue(inner, seen, depth + 1);
  }
  return copy;
}

/**
 * Returns a copy of `value` with secrets removed, ready to log or emit: Anthropic API keys
 * (`sk-ant-...`) and bearer tokens anywhere in a string, and the values of secret-bearing
 * keys (`x-api-key`, `authorization`, `apiKey`, cookies, ...) in objects, `Map`s and
 * `Headers`. Errors become plain objects with redacted `message`, `stack` and `cause`.
 * Cycles are preserved; the input is never modified.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, new WeakMap(), 0) as T;
}
