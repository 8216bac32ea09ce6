import {
  type AdmissionRequest,
  expectNumber,
  expectObject,
  expectOptionalNumber,
  expectOptionalSignal,
  expectString,
} from '@bulwark/core';

/** Checks an `acquire` request; throws `InvalidArgumentError` naming the field. */
export function validateAdmissionRequest(request: AdmissionRequest): void {
  expectObject('request', request);
  expectString('request.model', request.model);
  expectNumber('request.inputTokens', request.inputTokens, { min: 0 });
  expectNumber('request.maxOutputTokens', request.maxOutputTokens, { min: 0 });
  expectOptionalNumber('request.priority', request.priority);
  expectOptionalSignal('request.signal', request.signal);
  if (request.requestId !== undefined) expectString('request.requestId', request.requestId);
}
