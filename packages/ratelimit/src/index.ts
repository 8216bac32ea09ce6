export type { BudgetCap, BudgetPeriod, Budgets, PeriodUsage, UsageReport, UsageTotals } from './budgets.js';
export {
  BudgetExceededError,
  QueueFullError,
  RequestTooLargeError,
  SpendLimitError,
  WaitTimeoutError,
} from './errors.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type {
  OutputReservation,
  RateLimiterBehaviourOptions,
  RateLimiterOptions,
  RateLimits,
} from './options.js';
export { createRateLimiter, type RateLimiter } from './rate-limiter.js';
export type {
  RateLimitStore,
  StoreAdjustRequest,
  StoreBucketAmount,
  StoreBucketName,
  StoreBucketShape,
  StoreBucketSync,
  StoreLevels,
  StoreLevelsResult,
  StorePeekRequest,
  StoreScope,
  StoreSyncRequest,
  StoreTakeAdmitted,
  StoreTakeRefused,
  StoreTakeRequest,
  StoreTakeResult,
  StoreThrottleRequest,
  StoreThrottleResult,
} from './store.js';
