import { type ErrorSummary, redactSecrets } from '@bulwark/core';

/**
 * `error.type`, low in cardinality as the conventions ask: the API's error type
 * (`overloaded_error`, `rate_limit_error`), else Bulwark's error code (`aborted`), else the HTTP
 * status, else the error's class name.
 */
export function errorTypeOf(error: ErrorSummary): string {
  return (
    error.type ?? error.code ?? (error.status === undefined ? error.name || '_OTHER' : String(error.status))
  );
}

const maxStatusMessageLength = 500;

/** The span status message: the error's message with any secret redacted, cut to a sane length. */
export function statusMessageOf(error: ErrorSummary): string {
  const message = String(redactSecrets(error.message));
  return message.length > maxStatusMessageLength
    ? `${message.slice(0, maxStatusMessageLength - 3)}...`
    : message;
}
