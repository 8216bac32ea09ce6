import { defaultPriceOf, type Logger, type ModelPrice, redactSecrets } from '@bulwark/core';
import { defineOptions, invalidArgument, option } from '@bulwark/core/internal';
import type { AttributeValue, MeterProvider, TracerProvider } from '@opentelemetry/api';

/** Attributes added to every span and metric point (`{ 'deployment.environment.name': 'prod' }`). */
export type StaticAttributes = Readonly<Record<string, AttributeValue>>;

/** Options of `instrumentBulwark`. */
export interface InstrumentBulwarkOptions {
  /** Where spans go. @default the globally registered provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider | undefined;
  /** Where metrics go. @default the globally registered provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider | undefined;
  /**
   * Record prompts and answers on the request span (`gen_ai.system_instructions`,
   * `gen_ai.input.messages`, `gen_ai.output.messages`). The bus never carries them: they come
   * only through `recordPrompt` and `recordAnswer` of the returned instrumentation. @default false
   */
  captureContent?: boolean | undefined;
  /** Attributes added to every span and metric point. Keys that name a secret are refused. @default {} */
  attributes?: StaticAttributes | undefined;
  /** The price of a model, for the `bulwark.cost` counter; no cost is counted for a model without one. @default defaultPriceOf */
  pricesOf?: ((model: string) => ModelPrice | undefined) | undefined;
  /** Where the first failure of the telemetry pipeline is reported (it never reaches a request). @default console */
  logger?: Logger | undefined;
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** An attribute value as OpenTelemetry takes it: a primitive, or an array of one primitive type. */
function checkAttributeValue(argument: string, value: unknown): AttributeValue {
  if (isPrimitive(value)) return value;
  if (
    Array.isArray(value) &&
    value.every(isPrimitive) &&
    new Set(value.map((item) => typeof item)).size <= 1
  ) {
    return value as AttributeValue;
  }
  throw invalidArgument(argument, 'a string, a finite number, a boolean or an array of one of them', value);
}

function checkAttribute(argument: string, value: unknown): AttributeValue {
  const checked = checkAttributeValue(argument, value);
  const key = argument.slice(argument.lastIndexOf('.attributes.') + '.attributes.'.length);
  // A key such as `authorization` or a value such as `sk-ant-...`: telemetry never carries a secret.
  const redacted = redactSecrets({ [key]: checked }) as Record<string, unknown>;
  if (JSON.stringify(redacted[key]) !== JSON.stringify(checked)) {
    throw invalidArgument(argument, `an attribute that carries no secret (it would be redacted)`, '[hidden]');
  }
  return checked;
}

function hasMethods(value: object, names: readonly string[]): boolean {
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

export const instrumentOptions = defineOptions<InstrumentBulwarkOptions>()({
  tracerProvider: option.instance<TracerProvider>('a TracerProvider (an object with `getTracer`)', (value) =>
    hasMethods(value, ['getTracer']),
  ),
  meterProvider: option.instance<MeterProvider>('a MeterProvider (an object with `getMeter`)', (value) =>
    hasMethods(value, ['getMeter']),
  ),
  captureContent: option.boolean({ default: false }),
  attributes: option.record(checkAttribute, { default: {} }),
  pricesOf: option.function<(model: string) => ModelPrice | undefined, { default: typeof defaultPriceOf }>({
    default: defaultPriceOf,
  }),
  logger: option.instance<Logger, { default: Logger }>(
    'a logger (an object with `debug`, `info`, `warn` and `error` methods)',
    (value) => hasMethods(value, ['debug', 'info', 'warn', 'error']),
    { default: console },
  ),
});
