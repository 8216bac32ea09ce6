import type { TokenEstimatePart } from '@bulwark/core';
import { invalidArgument } from '@bulwark/core/internal';

/** Counts the tokens of a text under the estimator's encoding. */
export type CountText = (text: string) => number;

/** One part of a request estimate; `note` only when there is something to say. */
export function estimatePart(
  path: string,
  kind: string,
  tokens: number,
  exact = true,
  note?: string,
): TokenEstimatePart {
  const part: TokenEstimatePart = { path, kind, tokens, exact };
  if (note !== undefined) part.note = note;
  return part;
}

export function expectArray(path: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw invalidArgument(path, 'an array', value);
  return value;
}

/** `JSON.stringify` that refuses cycles and BigInt with an `InvalidArgumentError` naming `path`. */
export function toJson(path: string, value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // Handled: the only causes are a cycle or a BigInt, which the SDK would refuse too; the
    // caller is told which field, in the house style.
    throw invalidArgument(path, 'JSON-serialisable', value);
  }
}
