/**
 * Helpers that Bulwark's own packages share: `@bulwark/core/internal`. Not for users: nothing
 * here is covered by semantic versioning, and any of it may change in a patch release.
 */
export { sleep } from './clock.js';
export {
  type ContentBlockParamType,
  contentBlockParamTypes,
  serverToolResultBlockTypes,
} from './content-block-types.js';
export { buildContinuationPrompt, parseContinuationPrompt } from './continuation.js';
export { summarizeError } from './error-summary.js';
export { throwIfAborted } from './errors.js';
export { hashString } from './hash-string.js';
export { getHeader, parseRetryAfterMs } from './headers.js';
export { createSafeLogger, silentLogger } from './logger.js';
export { checkMessageParams } from './message-params.js';
export {
  type DefaultedRule,
  defineOptions,
  type OptionGroup,
  type OptionRule,
  type OptionSchema,
  option,
  parseOptions,
  pickOptions,
  type ResolvedOptions,
} from './options.js';
export { createRequestId } from './request-id.js';
export {
  describeValue,
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalNumber,
  expectOptionalSignal,
  expectString,
  invalidArgument,
  type NumberRule,
} from './validate.js';
