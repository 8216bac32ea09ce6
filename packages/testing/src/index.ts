export type { Fault, FaultKind, FaultPlan } from './fault.js';
export type { BatchFaultPlan, BatchItemFault, MockBatchOptions } from './mock-batch-options.js';
export type {
  ContinuationKind,
  MockServer,
  MockServerStats,
  RequestLogEntry,
} from './mock-server.js';
export type { MockRateLimits, MockServerOptions } from './mock-server-options.js';
export {
  createServerTokenizer,
  type ServerTokenizer,
  type ServerTokenizerOptions,
} from './server-tokenizer.js';
export { startMockServer } from './start-mock-server.js';
