import type { ErrorSummary } from './request-events.js';

/**
 * A summary of `error` that is safe to emit on the bus: its name, message and Bulwark `code`,
 * plus the HTTP `status` and API error `type` when the caller knows them. No stack, no cause,
 * nothing from the request.
 */
export function summarizeError(
  error: unknown,
  { status, type }: { status?: number | undefined; type?: string | undefined } = {},
): ErrorSummary {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  return {
    name: typeof fields.name === 'string' ? fields.name : 'Error',
    message: typeof fields.message === 'string' ? fields.message : String(error),
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(status === undefined ? {} : { status }),
    ...(type === undefined ? {} : { type }),
  };
}
