import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { defineOptions, option, parseOptions, pickOptions } from './options.js';

interface RetryOptions {
  /** @default 8 */
  maxRetries?: number | undefined;
  jitter?: 'full' | 'none' | undefined;
  onRetry?: ((attempt: number) => void) | undefined;
}

const retrySchema = defineOptions<RetryOptions>()({
  maxRetries: option.number({ min: 0, integer: true, default: 8 }),
  jitter: option.oneOf(['full', 'none'], { default: 'full' }),
  onRetry: option.function<(attempt: number) => void>(),
});

interface ClientOptions {
  name?: string | undefined;
  retry?: RetryOptions | undefined;
}

const clientSchema = defineOptions<ClientOptions>()({
  name: option.string(),
  retry: option.group(retrySchema),
});

function errorOf(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('parseOptions', () => {
  it('fills in defaults and keeps what was given', () => {
    const settings = parseOptions('options', { maxRetries: 2 }, retrySchema);
    expect(settings).toEqual({ maxRetries: 2, jitter: 'full', onRetry: undefined });
    expectTypeOf(settings.maxRetries).toEqualTypeOf<number>();
    expectTypeOf(settings.jitter).toEqualTypeOf<'full' | 'none'>();
    expectTypeOf(settings.onRetry).toEqualTypeOf<((attempt: number) => void) | undefined>();
  });

  it('treats undefined as left out, for options passed straight through', () => {
    expect(parseOptions('options', { maxRetries: undefined }, retrySchema).maxRetries).toBe(8);
    expect(parseOptions('options', undefined, retrySchema).maxRetries).toBe(8);
  });

  it('refuses an unknown key by its full name', () => {
    const error = errorOf(() => parseOptions('options', { maxRetry: 2 } as never, retrySchema));
    expect(error.argument).toBe('options.maxRetry');
    expect(error.message).toContain('expected one of `maxRetries`, `jitter`, `onRetry`');
  });

  it('names the option of a bad value, nested groups included', () => {
    const error = errorOf(() => parseOptions('options', { retry: { maxRetries: -1 } }, clientSchema));
    expect(error.argument).toBe('options.retry.maxRetries');
    expect(error.message).toBe(
      'Expected `options.retry.maxRetries` to be an integer >= 0, got `-1` (number)',
    );
    expect(
      errorOf(() => parseOptions('options', { retry: { typo: 1 } } as never, clientSchema)).argument,
    ).toBe('options.retry.typo');
  });

  it('refuses a value of the wrong kind for each rule', () => {
    expect(errorOf(() => parseOptions('o', { jitter: 'half' } as never, retrySchema)).argument).toBe(
      'o.jitter',
    );
    expect(errorOf(() => parseOptions('o', { onRetry: 3 } as never, retrySchema)).argument).toBe('o.onRetry');
    expect(errorOf(() => parseOptions('o', { name: '' }, clientSchema)).argument).toBe('o.name');
    expect(errorOf(() => parseOptions('o', 'nope' as never, clientSchema)).argument).toBe('o');
  });

  it('checks booleans, records, signals and instances', () => {
    interface Kinds {
      flag?: boolean;
      prices?: Readonly<Record<string, number>>;
      signal?: AbortSignal;
      store?: { take(): void };
    }
    const schema = defineOptions<Kinds>()({
      flag: option.boolean({ default: false }),
      prices: option.record((argument, value) => {
        if (typeof value !== 'number') throw new InvalidArgumentError({ argument, value, message: argument });
        return value;
      }),
      signal: option.signal(),
      store: option.instance<{ take(): void }>('a store', (value) => 'take' in value),
    });
    expect(parseOptions('o', {}, schema).flag).toBe(false);
    expect(errorOf(() => parseOptions('o', { flag: 'yes' }, schema)).argument).toBe('o.flag');
    expect(errorOf(() => parseOptions('o', { prices: { a: 'x' } }, schema)).argument).toBe('o.prices.a');
    expect(errorOf(() => parseOptions('o', { signal: {} }, schema)).argument).toBe('o.signal');
    expect(errorOf(() => parseOptions('o', { store: {} }, schema)).argument).toBe('o.store');
    const signal = AbortSignal.abort();
    expect(parseOptions('o', { signal }, schema).signal).toBe(signal);
  });
});

describe('pickOptions', () => {
  it('takes the given options of one group out of a larger object', () => {
    const input = { name: 'x', maxRetries: 3, jitter: undefined, other: true };
    expect(pickOptions(input, retrySchema)).toEqual({ maxRetries: 3 });
  });
});
