/**
 * Every attribute, event, span and metric name this package writes, in one place. The `gen_ai.*`
 * names follow the GenAI semantic conventions as `@opentelemetry/semantic-conventions` 1.45.0
 * publishes them (incubating entry point); they are spelled out here because that package is a
 * development dependency only.
 */
export const genAi = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestStream: 'gen_ai.request.stream',
  responseId: 'gen_ai.response.id',
  responseModel: 'gen_ai.response.model',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  responseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  tokenType: 'gen_ai.token.type',
  systemInstructions: 'gen_ai.system_instructions',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
} as const;

/** Stable attributes of the general conventions. */
export const general = {
  errorType: 'error.type',
  httpStatusCode: 'http.response.status_code',
} as const;

/** Bulwark's own attributes, under `bulwark.*`. Durations are in seconds, like the conventions'. */
export const bulwark = {
  requestId: 'bulwark.request.id',
  streamingReason: 'bulwark.streaming.reason',
  attempts: 'bulwark.attempts',
  retries: 'bulwark.retries',
  resumes: 'bulwark.resumes',
  stalls: 'bulwark.stalls',
  continuations: 'bulwark.continuations',
  fallbacks: 'bulwark.fallbacks',
  keptOutputTokens: 'bulwark.kept_output_tokens',
  rateLimitWaitDuration: 'bulwark.ratelimit.wait_duration',
  giveUpReason: 'bulwark.give_up_reason',
  abandoned: 'bulwark.abandoned',
  attemptNumber: 'bulwark.attempt.number',
  attemptResuming: 'bulwark.attempt.resuming',
  attemptEstimatedInputTokens: 'bulwark.attempt.estimated_input_tokens',
  attemptWillRetry: 'bulwark.attempt.will_retry',
  usagePartial: 'bulwark.usage.partial',
  modelClass: 'bulwark.ratelimit.model_class',
  bucket: 'bulwark.ratelimit.bucket',
  expectedWait: 'bulwark.ratelimit.expected_wait',
  queueLength: 'bulwark.ratelimit.queue_length',
  waited: 'bulwark.ratelimit.waited',
  retryReason: 'bulwark.retry.reason',
  retryDelay: 'bulwark.retry.delay',
  retryNextAttempt: 'bulwark.retry.next_attempt',
  retryResume: 'bulwark.retry.resume',
  resumeStrategy: 'bulwark.resume.strategy',
  resumeKeptOutputTokens: 'bulwark.resume.kept_output_tokens',
  resumeKeptTextLength: 'bulwark.resume.kept_text_length',
  resumeRegeneratedBlocks: 'bulwark.resume.regenerated_blocks',
  stallIdle: 'bulwark.stall.idle',
  stallPingsCountAsActivity: 'bulwark.stall.pings_count_as_activity',
  throttleReason: 'bulwark.throttle.reason',
  throttleRetryAfter: 'bulwark.throttle.retry_after',
  fallbackFrom: 'bulwark.fallback.from',
  fallbackTo: 'bulwark.fallback.to',
  fallbackReason: 'bulwark.fallback.reason',
  continueCall: 'bulwark.continue.call',
  continueStopReason: 'bulwark.continue.stop_reason',
  continueOutputTokens: 'bulwark.continue.output_tokens',
  budgetPeriod: 'bulwark.budget.period',
  budgetKind: 'bulwark.budget.kind',
  budgetLimit: 'bulwark.budget.limit',
  budgetUsed: 'bulwark.budget.used',
  budgetRequested: 'bulwark.budget.requested',
  checkpointOperation: 'bulwark.checkpoint.operation',
} as const;

/** Names of the spans and span events. */
export const spanNames = {
  attempt: 'bulwark.attempt',
  rateLimitWait: 'bulwark.ratelimit.wait',
} as const;

export const eventNames = {
  retry: 'bulwark.retry',
  resume: 'bulwark.resume',
  stall: 'bulwark.stall',
  throttled: 'bulwark.throttled',
  fallback: 'bulwark.fallback',
  continue: 'bulwark.continue',
  budgetExceeded: 'bulwark.budget_exceeded',
  checkpointFailed: 'bulwark.checkpoint_failed',
} as const;

export const metricNames = {
  tokenUsage: 'gen_ai.client.token.usage',
  operationDuration: 'gen_ai.client.operation.duration',
  timeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
  timePerOutputChunk: 'gen_ai.client.operation.time_per_output_chunk',
  retries: 'bulwark.retries',
  resumes: 'bulwark.resumes',
  stalls: 'bulwark.stalls',
  rateLimited: 'bulwark.rate_limited',
  inFlight: 'bulwark.requests.in_flight',
  bucketLevel: 'bulwark.ratelimit.bucket.level',
  cost: 'bulwark.cost',
} as const;

/** `gen_ai.operation.name` and `gen_ai.provider.name` of every span and metric point. */
export const operationName = 'chat';
export const providerName = 'anthropic';
