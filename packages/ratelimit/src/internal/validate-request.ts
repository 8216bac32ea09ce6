import type { AdmissionRequest } from '@bulwark/core';
import {
  expectNumber,
  expectObject,
  expectOptionalNumber,
  expectOptionalSignal,
  expectString,
} from '@bulwark/core/internal';

const nonNegative = { min: 0 };

function isCount(value: unknown): boolean {
  return typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY;
}

/** Checks an `acquire` request; throws `InvalidArgumentError` naming the field. */
export function validateAdmissionRequest(request: AdmissionRequest): void {
  // The common well-formed request passes these few checks; anything else gets the full ones,
  // which build the error message.
  if (
    typeof request === 'object' &&
    request !== null &&
    typeof request.model === 'string' &&
    request.model.length > 0 &&
    isCount(request.inputTokens) &&
    isCount(request.maxOutputTokens) &&
    request.priority === undefined &&
    request.signal === undefined &&
    (request.requestId === undefined ||
      (typeof request.requestId === 'string' && request.requestId.length > 0))
  ) {
    return;
  }
  expectObject('request', request);
  expectString('request.model', request.model);
  expectNumber('request.inputTokens', request.inputTokens, nonNegative);
  expectNumber('request.maxOutputTokens', request.maxOutputTokens, nonNegative);
  expectOptionalNumber('request.priority', request.priority);
  expectOptionalSignal('request.signal', request.signal);
  if (request.requestId !== undefined) expectString('request.requestId', request.requestId);
}
