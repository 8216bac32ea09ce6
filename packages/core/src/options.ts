import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalSignal,
  expectString,
  invalidArgument,
  type NumberRule,
} from './validate.js';

/**
 * How one option is checked, and its default. `check` returns the value it accepted (or
 * throws `InvalidArgumentError` naming `argument`); it never sees `undefined`, which means
 * "left out" and takes the default.
 */
export interface OptionRule<TValue> {
  readonly default?: TValue;
  check(argument: string, value: unknown): TValue;
}

/** One rule per option of `TOptions`, so the interface and its rules cannot drift apart. */
export type OptionSchema<TOptions> = {
  readonly [Key in keyof TOptions]-?: OptionRule<Exclude<TOptions[Key], undefined>>;
};

/** Options after `parseOptions`: those with a default are always set, the rest may be `undefined`. */
export type ResolvedOptions<TOptions, TSchema> = {
  -readonly [Key in keyof TOptions]-?: Key extends keyof TSchema
    ? TSchema[Key] extends DefaultedRule<unknown>
      ? Exclude<TOptions[Key], undefined>
      : Exclude<TOptions[Key], undefined> | undefined
    : never;
};

/** A group of options: its rules, by name, tied to the interface `TOptions` that documents them. */
export interface OptionGroup<TOptions, TSchema extends OptionSchema<TOptions> = OptionSchema<TOptions>> {
  readonly rules: TSchema;
  /** The group's option names: the one list, derived from the rules. */
  readonly keys: readonly (keyof TOptions & string)[];
}

/**
 * Declares a group of options once: `defineOptions<RetryOptions>()({ maxRetries: option.number(...) })`.
 * The interface documents each option; the rules check it and hold its default; the compiler
 * keeps the two in step (a missing or extra rule, or a default of the wrong type, fails to build).
 */
export function defineOptions<TOptions extends object>() {
  return <const TSchema extends OptionSchema<TOptions>>(rules: TSchema): OptionGroup<TOptions, TSchema> => ({
    rules,
    keys: Object.keys(rules) as (keyof TOptions & string)[],
  });
}

/**
 * Checks an options object against its group in one pass: refuses unknown keys (a typo such
 * as `maxRetry`), checks every given value, and fills in the defaults. `argument` names the
 * object in messages (`options`, `options.retry`). `undefined` means "left out", so option
 * groups can be passed straight through.
 */
export function parseOptions<TOptions extends object, TSchema extends OptionSchema<TOptions>>(
  argument: string,
  input: unknown,
  group: OptionGroup<TOptions, TSchema>,
): ResolvedOptions<TOptions, TSchema> {
  const record = input === undefined ? {} : expectObject(argument, input);
  expectKnownKeys(argument, record, group.keys);
  const resolved: Record<string, unknown> = {};
  for (const key of group.keys) {
    const rule = (group.rules as Record<string, OptionRule<unknown>>)[key]!;
    const value = record[key];
    resolved[key] = value === undefined ? rule.default : rule.check(`${argument}.${key}`, value);
  }
  return resolved as ResolvedOptions<TOptions, TSchema>;
}

/** The options of `input` that belong to `group`, as given (to pass a group straight on). */
export function pickOptions<TOptions extends object>(
  input: object,
  group: OptionGroup<TOptions, OptionSchema<TOptions>>,
): Partial<TOptions> {
  const picked: Record<string, unknown> = {};
  for (const key of group.keys) {
    const value = (input as Record<string, unknown>)[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked as Partial<TOptions>;
}

/** A rule that carries its default in its type, so `ResolvedOptions` knows the option is set. */
export type DefaultedRule<TValue> = OptionRule<TValue> & { readonly default: TValue };

/** The rule a builder returns: defaulted when the call gave a `default`. */
type RuleFor<TValue, TGiven> = TGiven extends { default: unknown }
  ? DefaultedRule<TValue>
  : OptionRule<TValue>;

interface WithDefault<TValue> {
  default?: TValue | undefined;
}

/** What a builder's `given` is when the call passes none: no default. */
interface NoDefault {
  default?: undefined;
}

function rule<TValue, TGiven extends WithDefault<TValue>>(
  given: TGiven | undefined,
  check: (argument: string, value: unknown) => TValue,
): RuleFor<TValue, TGiven> {
  const defaultValue = given?.default;
  return (defaultValue === undefined ? { check } : { default: defaultValue, check }) as RuleFor<
    TValue,
    TGiven
  >;
}

/** Rules for the option kinds every package uses, with messages in the house style. */
export const option = {
  number<const TGiven extends NumberRule & WithDefault<number>>(given?: TGiven) {
    return rule<number, TGiven>(given, (argument, value) => expectNumber(argument, value, given ?? {}));
  },
  string<const TGiven extends { allowEmpty?: boolean } & WithDefault<string>>(given?: TGiven) {
    return rule<string, TGiven>(given, (argument, value) =>
      expectString(argument, value, { allowEmpty: given?.allowEmpty ?? false }),
    );
  },
  boolean<const TGiven extends WithDefault<boolean>>(given?: TGiven) {
    return rule<boolean, TGiven>(given, (argument, value) => {
      if (typeof value !== 'boolean') throw invalidArgument(argument, 'a boolean', value);
      return value;
    });
  },
  oneOf<const TAllowed extends string, const TGiven extends WithDefault<NoInfer<TAllowed>> = NoDefault>(
    allowed: readonly TAllowed[],
    given?: TGiven,
  ) {
    return rule<TAllowed, TGiven>(given, (argument, value) => expectOneOf(argument, value, allowed));
  },
  /** A function; its signature is the interface's business. */
  function<TFunction, const TGiven extends WithDefault<TFunction> = NoDefault>(given?: TGiven) {
    return rule<TFunction, TGiven>(given, (argument, value) => {
      if (typeof value !== 'function') throw invalidArgument(argument, 'a function', value);
      return value as TFunction;
    });
  },
  signal() {
    return rule<AbortSignal, NoDefault>(
      undefined,
      (argument, value) => expectOptionalSignal(argument, value)!,
    );
  },
  /** A plain object whose entries `checkEntry` checks, such as a table of prices by model. */
  record<TEntry, const TGiven extends WithDefault<Readonly<Record<string, TEntry>>> = NoDefault>(
    checkEntry: (argument: string, value: unknown) => TEntry,
    given?: TGiven,
  ) {
    return rule<Readonly<Record<string, TEntry>>, TGiven>(given, (argument, value) => {
      const record = expectObject(argument, value);
      for (const [key, entry] of Object.entries(record)) checkEntry(`${argument}.${key}`, entry);
      return record as Record<string, TEntry>;
    });
  },
  /** A nested group, checked with its own rules, so `options.retry.maxRetry` is refused by name. */
  group<TGroup extends object>(group: OptionGroup<TGroup, OptionSchema<TGroup>>): OptionRule<TGroup> {
    return { check: (argument, value) => parseOptions(argument, value, group) as TGroup };
  },
  /** An object the caller made (a client, a store, a bus), recognised by `isValid`. */
  instance<TValue, const TGiven extends WithDefault<TValue> = NoDefault>(
    expectation: string,
    isValid: (value: object) => boolean,
    given?: TGiven,
  ) {
    return rule<TValue, TGiven>(given, (argument, value) => {
      if (typeof value !== 'object' || value === null || !isValid(value)) {
        throw invalidArgument(argument, expectation, value);
      }
      return value as TValue;
    });
  },
} as const;
