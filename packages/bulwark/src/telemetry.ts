import type Anthropic from '@anthropic-ai/sdk';
import { type Bus, InvalidArgumentError, type Logger, type ModelPrice } from '@bulwark/core';
import { createRequestId, expectKnownKeys, expectObject } from '@bulwark/core/internal';
import type { BulwarkInstrumentation, InstrumentBulwarkOptions } from '@bulwark/otel';

const telemetryOptionKeys = ['tracerProvider', 'meterProvider', 'captureContent', 'attributes'] as const;

/**
 * OpenTelemetry for the client, through `@bulwark/otel` (an optional peer dependency, with
 * `@opentelemetry/api`): providers (the global ones by default), content capture and static
 * attributes. See that package for the spans and metrics.
 */
export type TelemetryOptions = Pick<InstrumentBulwarkOptions, (typeof telemetryOptionKeys)[number]>;

// A variable, not a literal: bundlers then leave the optional peer alone, so a user who never
// asks for telemetry needs neither `@bulwark/otel` nor `@opentelemetry/api` installed.
const otelPackage = '@bulwark/otel';

type OtelModule = typeof import('@bulwark/otel');

/** Checks the shape of `options.telemetry` up front; `@bulwark/otel` checks the values when it loads. */
export function checkTelemetryOptions(options: unknown, argument = 'options.telemetry'): TelemetryOptions {
  expectKnownKeys(argument, expectObject(argument, options), telemetryOptionKeys);
  return options as TelemetryOptions;
}

/** `@bulwark/otel` refused an option: name it as the bundle's caller wrote it. */
function asBundleOption(error: unknown): unknown {
  if (!InvalidArgumentError.isInstance(error) || !error.argument.startsWith('options.')) return error;
  return new InvalidArgumentError({
    argument: `options.telemetry.${error.argument.slice('options.'.length)}`,
    value: error.value,
    message: error.message.replace('`options.', '`options.telemetry.'),
    cause: error,
  });
}

/**
 * The client's telemetry: `@bulwark/otel` attached to the client's bus (options checked with
 * `checkTelemetryOptions` first). The package is loaded on
 * demand, so calls wait for `ready()` before they start (no event of theirs is missed), and a
 * missing package or a refused option rejects every call with `InvalidArgumentError`.
 */
export class ClientTelemetry {
  private readonly instrumentation: Promise<BulwarkInstrumentation>;
  private readonly captureContent: boolean;

  constructor(
    bus: Bus,
    options: TelemetryOptions,
    extra: { pricesOf: (model: string) => ModelPrice | undefined; logger: Logger | undefined },
  ) {
    this.captureContent = options.captureContent === true;
    this.instrumentation = (import(otelPackage) as Promise<OtelModule>).then(
      ({ instrumentBulwark }) => {
        try {
          return instrumentBulwark(bus, {
            ...options,
            pricesOf: extra.pricesOf,
            ...(extra.logger ? { logger: extra.logger } : {}),
          });
        } catch (error) {
          throw asBundleOption(error);
        }
      },
      (cause: unknown) => {
        throw new InvalidArgumentError({
          argument: 'options.telemetry',
          value: options,
          message:
            '`options.telemetry` needs the optional packages `@bulwark/otel` and `@opentelemetry/api`; ' +
            `loading them failed: ${cause instanceof Error ? cause.message : String(cause)}`,
          cause,
        });
      },
    );
    // Surfaced through every call (and not as an unhandled rejection when none is made).
    this.instrumentation.catch(() => {});
  }

  /** Resolves once the listeners are on the bus. */
  async ready(): Promise<void> {
    await this.instrumentation;
  }

  /**
   * Runs one `createMessage` call; with `captureContent`, hands its prompt and its answer (or the
   * partial one of a failure) to the instrumentation under the call's request id.
   */
  async runMessage(
    params: Anthropic.MessageCreateParams,
    requestId: string | undefined,
    run: (requestId: string | undefined) => Promise<Anthropic.Message>,
  ): Promise<Anthropic.Message> {
    const instrumentation = await this.instrumentation;
    if (!this.captureContent) return run(requestId);
    const id = requestId ?? createRequestId();
    instrumentation.recordPrompt(id, params);
    try {
      const message = await run(id);
      instrumentation.recordAnswer(id, message);
      return message;
    } catch (error) {
      const partial = (error as { partial?: Anthropic.Message } | null)?.partial;
      instrumentation.recordAnswer(id, partial);
      throw error;
    }
  }

  /** Detaches the instrumentation once it is attached; nothing to do when it never was. */
  async close(): Promise<void> {
    const instrumentation = await this.instrumentation.catch(() => undefined);
    instrumentation?.detach();
  }
}
