import {
  type MessageRequestLike,
  modelClassOf,
  type RequestTokenEstimate,
  type TokenEstimatePart,
} from '@bulwark/core';
import { type Calibrator, defaultModelFamily } from '../calibration.js';
import type { CountText } from './estimate-parts.js';
import { RequestPartCounter } from './request-parts.js';

/** The calibration family of a model: core's `modelClassOf`, or `default`. */
export function familyOf(model: string): string {
  return modelClassOf(model) ?? defaultModelFamily;
}

/**
 * Estimates a whole request: the parts' raw counts added up, then the family's calibration
 * ratio applied. With `exactCounts` false (the fast heuristic) the estimate is marked inexact.
 */
export function estimateRequestTokens(
  request: MessageRequestLike,
  countText: CountText,
  exactCounts: boolean,
  calibrator: Calibrator,
): RequestTokenEstimate {
  const counter = new RequestPartCounter(countText);
  counter.walk(request);
  const breakdown: TokenEstimatePart[] = counter.parts;
  if (!exactCounts) {
    breakdown.push({
      path: 'encoding',
      kind: 'overhead',
      tokens: 0,
      exact: false,
      note: 'fast heuristic, not an exact count',
    });
  }
  let rawTokens = 0;
  let exact = true;
  for (const part of breakdown) {
    rawTokens += part.tokens;
    exact &&= part.exact;
  }
  const modelFamily = familyOf(request.model);
  const calibrationRatio = calibrator.ratio(modelFamily);
  return {
    rawTokens,
    inputTokens: Math.ceil(rawTokens * calibrationRatio),
    calibrationRatio,
    modelFamily,
    exact,
    breakdown,
  };
}
