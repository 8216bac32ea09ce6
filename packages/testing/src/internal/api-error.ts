/** An answer the server gives instead of a message: status, `error.type` and message. */
export interface ApiFailure {
  status: number;
  type: string;
  message: string;
  /** `error.details`, such as `{ error_code: 'enforced_spend_limit_reached' }`. */
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
}

const typesByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const messagesByType: Record<string, string> = {
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
  rate_limit_error: 'Rate limited',
  timeout_error: 'Request timed out',
};

/** The API's `error.type` for a status (`api_error` for other 5xx, `invalid_request_error` for other 4xx). */
export function errorTypeForStatus(status: number): string {
  return typesByStatus[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** A default message for an error type, as the API words the common ones. */
export function defaultMessageFor(type: string): string {
  return messagesByType[type] ?? type.replaceAll('_', ' ');
}

export function invalidRequest(message: string): ApiFailure {
  return { status: 400, type: 'invalid_request_error', message };
}

/** The API's error body: `{"type":"error","error":{"type","message"},"request_id"}`. */
export function errorBody(failure: ApiFailure, requestId: string): string {
  const error: Record<string, unknown> = { type: failure.type, message: failure.message };
  if (failure.details) error.details = failure.details;
  return JSON.stringify({ type: 'error', error, request_id: requestId });
}
