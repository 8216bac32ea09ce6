import { sleep } from '@bulwark/core/internal';
import type { Fault } from '../fault.js';
import { type ApiFailure, defaultMessageFor, errorTypeForStatus, invalidRequest } from './api-error.js';
import type { Exchange } from './exchange.js';
import { parseFault, plannedFault } from './faults.js';
import { sendFailure, writeThenDestroy } from './replies.js';

/** A request's fault, or the 400 a malformed `x-bulwark-fault` header earns. */
export type FaultChoice = { fault: Fault | undefined } | { failure: ApiFailure };

/**
 * The fault of a request: its own `x-bulwark-fault` header wins; else, for a messages request
 * (which this counts, setting `entry.messageIndex`), the plan's schedule or random draw.
 */
export function chooseFault(exchange: Exchange, isMessagesRequest: boolean): FaultChoice {
  const { state, entry } = exchange;
  let fault: Fault | undefined;
  const header = exchange.incoming.headers['x-bulwark-fault'];
  if (typeof header === 'string') {
    try {
      fault = parseFault('x-bulwark-fault', JSON.parse(header));
    } catch (error) {
      return { failure: invalidRequest(`x-bulwark-fault: ${(error as Error).message}`) };
    }
  }
  if (isMessagesRequest) {
    entry.messageIndex = state.nextMessageIndex();
    fault ??= plannedFault(state.faultPlan, state.seed, entry.messageIndex);
  }
  return { fault };
}

export const spendLimitFailure: ApiFailure = {
  status: 429,
  type: 'rate_limit_error',
  message:
    'You have reached your specified workspace API usage limits. You will regain access on the first of next month.',
  details: { error_code: 'enforced_spend_limit_reached' },
};

/** The answer of a `status` fault: its `error.type`, `retry-after` and `x-should-retry`. */
export function failureOfStatusFault(fault: Extract<Fault, { kind: 'status' }>): ApiFailure {
  const type = fault.errorType ?? errorTypeForStatus(fault.status);
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  const shouldRetry = fault.shouldRetry ?? (fault.status === 529 ? true : undefined);
  if (shouldRetry !== undefined) headers['x-should-retry'] = String(shouldRetry);
  return { status: fault.status, type, message: defaultMessageFor(type), headers };
}

/**
 * Logs the fault and applies the part of it that comes before validation: the connection or
 * the status line fails, or the headers wait. Resolves to true when the request is answered;
 * faults inside the body are the writers' business.
 */
export async function applyEarlyFault(exchange: Exchange, fault: Fault): Promise<boolean> {
  const { state, entry } = exchange;
  entry.fault = fault;
  state.stats.faults += 1;
  switch (fault.kind) {
    case 'reset_before_headers':
      state.recordStatus(entry, 0);
      writeThenDestroy(exchange.response, '');
      return true;
    case 'status':
      sendFailure(exchange, failureOfStatusFault(fault));
      return true;
    case 'spend_limit':
      state.spendLimitReached = true;
      sendFailure(exchange, spendLimitFailure);
      return true;
    case 'slow_headers':
      await sleep(state.clock, fault.delayMs, exchange.signal);
      return false;
    default:
      return false;
  }
}
