import type { AlertRaisedEvent, AlertResolvedEvent } from '@bulwark/core';
import { defineOptions, invalidArgument, option } from '@bulwark/core/internal';

/** Posts every alert as JSON to a URL. Deliveries run in the background and never block requests. */
export interface WebhookOptions {
  /** Where to `POST` each alert (`{ "event": "alert:raised", ...payload }`). */
  url: string;
  /** Extra request headers, such as an authorization header for the receiver. @default {} */
  headers?: Record<string, string>;
  /** Each delivery attempt is aborted after this long. @default 5000 @unit milliseconds */
  timeoutMs?: number;
  /** Attempts per alert, the first included; network errors, 408, 429 and 5xx are retried. @default 3 */
  maxAttempts?: number;
  /** The wait before the first retry, doubled for each next one. @default 1000 @unit milliseconds */
  retryDelayMs?: number;
  /** Alerts waiting to be sent beyond this many are dropped, oldest first. @default 100 */
  maxQueue?: number;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

export const webhookOptions = defineOptions<WebhookOptions>()({
  url: {
    check(argument, value) {
      const url = option.string().check(argument, value);
      if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) {
        throw invalidArgument(argument, 'an http: or https: URL', value);
      }
      return url;
    },
  },
  headers: option.record<string>((argument, value) =>
    option.string({ allowEmpty: true }).check(argument, value),
  ),
  timeoutMs: option.number({ min: 1, default: 5_000 }),
  maxAttempts: option.number({ min: 1, integer: true, default: 3 }),
  retryDelayMs: option.number({ min: 0, default: 1_000 }),
  maxQueue: option.number({ min: 1, integer: true, default: 100 }),
  fetch: option.function<typeof globalThis.fetch>(),
});

/** One alert as the webhook receives it. */
export type WebhookBody =
  | ({ event: 'alert:raised' } & AlertRaisedEvent)
  | ({ event: 'alert:resolved' } & AlertResolvedEvent);
