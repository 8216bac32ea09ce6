import {
  defineOptions,
  expectNumber,
  invalidArgument,
  type OptionRule,
  option,
  parseOptions,
  throwIfAborted,
} from '@bulwark/core/internal';
import type {
  CollectContextOptions,
  CollectedContext,
  ContextFile,
  ContextOmission,
} from '../collect-context.js';
import { FileAccessError } from '../file-access-error.js';
import { chunkPieces } from './chunk-engine.js';
import { maxChunkChars } from './chunk-options.js';
import { ContextCandidates } from './context-candidates.js';
import { type CountTokens, counterFor } from './counter.js';
import { byteLengthIn } from './decode.js';
import { formatOf } from './format-of.js';
import { estimatorRule } from './option-rules.js';
import { readTextIn } from './read-text.js';
import type { RootContext } from './root-context.js';

/** Below this many tokens left, a partial file is not worth including. */
const minPartialTokens = 32;

const tokenBudgetRule = { min: 0, integer: true } as const;

const patternList: OptionRule<readonly string[]> = {
  check(argument, value) {
    if (!Array.isArray(value)) throw invalidArgument(argument, 'an array of patterns', value);
    return value;
  },
};

/** The options of `collectContext`, each declared once with its default. */
export const collectContextOptions = defineOptions<CollectContextOptions>()({
  // Required: checked again when left out.
  tokenBudget: option.number(tokenBudgetRule),
  ignore: { ...patternList, default: [] },
  gitignore: option.boolean({ default: true }),
  allowPartial: option.boolean({ default: true }),
  // The root's `maxFileBytes` when left out.
  maxFileBytes: option.number({ min: 0, integer: true }),
  estimator: estimatorRule,
  signal: option.signal(),
});

type CollectSettings = ReturnType<typeof parseCollectOptions>;

function parseCollectOptions(options: unknown) {
  const settings = parseOptions('options', options, collectContextOptions);
  const tokenBudget = expectNumber('options.tokenBudget', settings.tokenBudget, tokenBudgetRule);
  return { ...settings, tokenBudget };
}

/** `SafeRoot.collectContext`: walks `patterns` under the root and fills the budget in path order. */
export async function collectContextIn(
  context: RootContext,
  patterns: string | readonly string[],
  options: unknown,
): Promise<CollectedContext> {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  if (!Array.isArray(list) || list.some((pattern) => typeof pattern !== 'string' || pattern.length === 0)) {
    throw invalidArgument('patterns', 'a non-empty string or an array of them', patterns);
  }
  const settings = parseCollectOptions(options);
  const count = await counterFor(settings.estimator ?? context.estimator);
  const omitted: ContextOmission[] = [];
  const candidates = new ContextCandidates(
    context.jail,
    settings.ignore,
    settings.gitignore,
    settings.signal,
    omitted,
  );
  for (const pattern of list) await candidates.add(pattern);
  const files: ContextFile[] = [];
  let remaining = settings.tokenBudget;
  for (const path of candidates.paths) {
    throwIfAborted(settings.signal);
    if (remaining < Math.min(minPartialTokens, settings.tokenBudget) || remaining === 0) {
      omitted.push({ path, reason: 'over_budget' });
      continue;
    }
    const taken = await takeFile(context, path, remaining, settings, count, omitted);
    if (taken === undefined) continue;
    files.push(taken);
    remaining -= taken.tokenCount;
  }
  return { files, omitted, usedTokens: settings.tokenBudget - remaining, tokenBudget: settings.tokenBudget };
}

/**
 * The file at `path` if it fits in `remaining` tokens, else its first chunk that fits (when
 * partial files are allowed), else `undefined`; what is left out goes to `omitted`.
 */
async function takeFile(
  context: RootContext,
  path: string,
  remaining: number,
  settings: CollectSettings,
  count: CountTokens,
  omitted: ContextOmission[],
): Promise<ContextFile | undefined> {
  let text: string;
  try {
    text = await readTextIn(context, path, {
      ...(settings.maxFileBytes === undefined ? {} : { maxBytes: settings.maxFileBytes }),
      ...(settings.signal === undefined ? {} : { signal: settings.signal }),
    });
  } catch (error) {
    if (!FileAccessError.isInstance(error)) throw error;
    // Handled: a refused file is left out, with the reason (`file:refused` was emitted too).
    omitted.push({ path, reason: error.reason, message: error.message });
    return undefined;
  }
  const tokenCount = await count(text);
  const lineCount = text.length === 0 ? 1 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (tokenCount <= remaining) {
    return { path, text, tokenCount, partial: false, lineStart: 1, lineEnd: lineCount };
  }
  if (settings.allowPartial && remaining >= Math.min(minPartialTokens, settings.tokenBudget)) {
    const first = await chunkPieces([text], {
      maxTokens: remaining,
      overlapTokens: 0,
      count,
      format: formatOf(path),
      byteLength: byteLengthIn('utf-8'),
      firstByte: 0,
      signal: settings.signal,
      maxChunkChars,
    }).next();
    if (!first.done) {
      const chunk = first.value;
      omitted.push({
        path,
        reason: 'over_budget',
        tokenCount,
        message: `only lines 1-${chunk.lineEnd} of ${lineCount} fit (${chunk.tokenCount} of ${tokenCount} tokens)`,
      });
      return {
        path,
        text: chunk.text,
        tokenCount: chunk.tokenCount,
        partial: true,
        lineStart: 1,
        lineEnd: chunk.lineEnd,
      };
    }
  }
  omitted.push({ path, reason: 'over_budget', tokenCount });
  return undefined;
}
