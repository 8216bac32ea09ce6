import type { FileRefusalReason, TokenEstimator } from '@bulwark/core';

export interface CollectContextOptions {
  /** The most tokens all collected text may have together. */
  tokenBudget: number;
  /** Gitignore-style patterns (relative to the root) to leave out. @default [] */
  ignore?: readonly string[];
  /** Honour `.gitignore` files in the root and below. @default true */
  gitignore?: boolean;
  /** When a file does not fit whole, take its first chunk that fits the rest of the budget. @default true */
  allowPartial?: boolean;
  /** Files larger than this are left out (`too_large`). @default the root's `maxFileBytes` */
  maxFileBytes?: number;
  /** @default the root's estimator */
  estimator?: TokenEstimator;
  signal?: AbortSignal;
}

/** A file (or its first part) that fits the budget. */
export interface ContextFile {
  /** Relative to the root, with `/` separators. */
  path: string;
  text: string;
  tokenCount: number;
  /** True when only the first `lineEnd` lines are included. */
  partial: boolean;
  lineStart: number;
  lineEnd: number;
}

/** Why a file was left out: a refusal, an ignore rule, or no room left in the budget. */
export type ContextOmissionReason = FileRefusalReason | 'ignored' | 'over_budget';

export interface ContextOmission {
  /** Relative to the root; a directory ends in `/`. */
  path: string;
  reason: ContextOmissionReason;
  /** The file's tokens, when they were counted. */
  tokenCount?: number;
  message?: string;
}

/** What `collectContext` returns. */
export interface CollectedContext {
  files: ContextFile[];
  omitted: ContextOmission[];
  usedTokens: number;
  tokenBudget: number;
}
