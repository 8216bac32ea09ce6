export {
  type BudgetCap,
  type BudgetPeriod,
  type Budgets,
  costOfUsage,
  type ModelPrice,
  type PeriodUsage,
  type PriceTable,
  periodStartMs,
  type UsageReport,
  type UsageTotals,
} from './budgets.js';
export {
  BudgetExceededError,
  QueueFullError,
  RequestTooLargeError,
  SpendLimitError,
  WaitTimeoutError,
} from './errors.js';
export type { OutputReservation } from './internal/output-estimator.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { RateLimiterOptions, RateLimits } from './options.js';
export { createRateLimiter, type RateLimiter } from './rate-limiter.js';
export {
  type RateLimitStore,
  type StoreAdjustRequest,
  type StoreBucketAmount,
  type StoreBucketName,
  type StoreBucketShape,
  type StoreBucketSync,
  type StoreLevels,
  type StoreLevelsResult,
  type StorePeekRequest,
  type StoreScope,
  type StoreSyncRequest,
  type StoreTakeAdmitted,
  type StoreTakeRefused,
  type StoreTakeRequest,
  type StoreTakeResult,
  type StoreThrottleRequest,
  type StoreThrottleResult,
  storeBucketNames,
} from './store.js';
