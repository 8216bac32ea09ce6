import type { ApiFailure } from '../api-error.js';
import type { PreparedRequest } from './prepare-request.js';

/**
 * A rule a valid `/v1/messages` request must pass before it is answered: it returns the answer
 * that refuses the request (an `ApiFailure`: status, `error.type`, message, headers), or
 * `undefined` to let it through. A check may keep state in `prepared.context.state`.
 */
export type MessagesCheck = (prepared: PreparedRequest) => ApiFailure | undefined;

/** Takes the request from the rate-limit buckets of its model class, or refuses with a 429. */
export function refuseOverRateLimit(prepared: PreparedRequest): ApiFailure | undefined {
  const { modelClass, inputTokens } = prepared;
  const { rateLimiter, stats } = prepared.context.state;
  const refusal = rateLimiter.admit(modelClass, inputTokens);
  if (!refusal) return undefined;
  stats.rateLimited += 1;
  const what = refusal.bucket === 'requests' ? 'requests' : refusal.bucket.replace('-', ' ');
  return {
    status: 429,
    type: 'rate_limit_error',
    message: `This request would exceed your organization's rate limit of ${refusal.limit} ${what} per minute (model class ${modelClass}). For details, refer to: https://docs.claude.com/en/api/rate-limits.`,
    headers: { ...rateLimiter.headers(modelClass), 'retry-after': String(refusal.retryAfterSeconds) },
  };
}

/**
 * The checks, in the order they run; the first refusal answers. Add a behaviour that refuses
 * requests (a model held overloaded, an API version's rules, a context window) as a function
 * in its own file and one line here. `refuseOverRateLimit` takes from the buckets, so it stays
 * last: a request another check refuses must not spend the rate limit.
 */
export const messagesChecks: readonly MessagesCheck[] = [refuseOverRateLimit];
