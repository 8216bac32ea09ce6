import type { AlertSeverity } from '@bulwark/core';
import { defineOptions, option } from '@bulwark/core/internal';

/** A rule over a share (0–1) of events in the sliding window. */
export interface ShareRuleOptions {
  /** The share at or above which the alert is raised. */
  threshold?: number;
  /** Fewer events than this in the window never raise (one failure in two requests is not 50 %). */
  minSamples?: number;
  severity?: AlertSeverity;
}

/** `circuitOpen`: raised while a model's circuit breaker is open or half-open. */
export interface CircuitRuleOptions {
  /** @default 'critical' */
  severity?: AlertSeverity;
}

/** `budgetNearLimit` and `budgetExceeded`: a budget's use in its current period. */
export interface BudgetRuleOptions {
  /** The share of the budget (`used ÷ limit`) at or above which the alert is raised. */
  threshold?: number;
  severity?: AlertSeverity;
}

/** `timeToFirstToken`: the 95th percentile of time to first token over the window. */
export interface LatencyRuleOptions {
  /** @default 15000 @unit milliseconds */
  thresholdMs?: number;
  /** @default 20 */
  minSamples?: number;
  /** @default 'warning' */
  severity?: AlertSeverity;
}

/** `slowOutput`: a model's output tokens per second against the rate learnt for it. */
export interface ThroughputRuleOptions {
  /** Raised when the window's mean rate falls below this share of the learnt rate. @default 0.5 */
  threshold?: number;
  /** Progress reports in the window needed to judge (and to learn). @default 20 */
  minSamples?: number;
  /** How slowly the learnt rate follows the observed one (its time constant); frozen while alerting. @default 1800000 */
  learnMs?: number;
  /** @default 'warning' */
  severity?: AlertSeverity;
}

/** `queueGrowing`: a model class's rate-limit queue never emptied and kept growing. */
export interface QueueRuleOptions {
  /** How long the queue must have been non-empty and longer than it was this long ago. @default 60000 */
  thresholdMs?: number;
  /** @default 'warning' */
  severity?: AlertSeverity;
}

/**
 * The built-in rules, by id: give options to tune one, `false` to turn it off. Every rule is on
 * with its defaults unless turned off.
 */
export interface AlertRulesOptions {
  /** Share of attempts answered 429. @default { threshold: 0.1, minSamples: 10, severity: 'warning' } */
  rateLimited?: ShareRuleOptions | false;
  /** Share of requests that failed for good. @default { threshold: 0.05, minSamples: 10, severity: 'critical' } */
  failures?: ShareRuleOptions | false;
  /** Share of streaming attempts aborted as stalled. @default { threshold: 0.05, minSamples: 10, severity: 'warning' } */
  stalls?: ShareRuleOptions | false;
  /** Retries (resumes included) per attempt. @default { threshold: 0.25, minSamples: 10, severity: 'warning' } */
  retries?: ShareRuleOptions | false;
  /** A model's circuit breaker is not closed. @default { severity: 'critical' } */
  circuitOpen?: CircuitRuleOptions | false;
  /** A budget past 80 % of its period. @default { threshold: 0.8, severity: 'warning' } */
  budgetNearLimit?: BudgetRuleOptions | false;
  /** A budget used up (or a call refused by it). @default { threshold: 1, severity: 'critical' } */
  budgetExceeded?: BudgetRuleOptions | false;
  /** p95 time to first token above a bound. @default { thresholdMs: 15000, minSamples: 20, severity: 'warning' } */
  timeToFirstToken?: LatencyRuleOptions | false;
  /** Output tokens per second below a share of the model's learnt rate. @default { threshold: 0.5, minSamples: 20, learnMs: 1800000, severity: 'warning' } */
  slowOutput?: ThroughputRuleOptions | false;
  /** A rate-limit queue growing for longer than a window. @default { thresholdMs: 60000, severity: 'warning' } */
  queueGrowing?: QueueRuleOptions | false;
}

/** The id of a built-in rule. */
export type AlertRuleId = keyof AlertRulesOptions;

const severity = (fallback: AlertSeverity) =>
  option.oneOf<AlertSeverity, { default: AlertSeverity }>(['warning', 'critical'], { default: fallback });

/** Rule groups with their defaults, one per rule kind and default set. */
export const shareRuleOptions = (defaults: { threshold: number; severity: AlertSeverity }) =>
  defineOptions<ShareRuleOptions>()({
    threshold: option.number({ min: 0, default: defaults.threshold }),
    minSamples: option.number({ min: 1, integer: true, default: 10 }),
    severity: severity(defaults.severity),
  });

export const circuitRuleOptions = defineOptions<CircuitRuleOptions>()({ severity: severity('critical') });

export const budgetRuleOptions = (defaults: { threshold: number; severity: AlertSeverity }) =>
  defineOptions<BudgetRuleOptions>()({
    threshold: option.number({ min: 0, default: defaults.threshold }),
    severity: severity(defaults.severity),
  });

export const latencyRuleOptions = defineOptions<LatencyRuleOptions>()({
  thresholdMs: option.number({ min: 0, default: 15_000 }),
  minSamples: option.number({ min: 1, integer: true, default: 20 }),
  severity: severity('warning'),
});

export const throughputRuleOptions = defineOptions<ThroughputRuleOptions>()({
  threshold: option.number({ min: 0, max: 1, default: 0.5 }),
  minSamples: option.number({ min: 1, integer: true, default: 20 }),
  learnMs: option.number({ min: 1, default: 1_800_000 }),
  severity: severity('warning'),
});

export const queueRuleOptions = defineOptions<QueueRuleOptions>()({
  thresholdMs: option.number({ min: 1, default: 60_000 }),
  severity: severity('warning'),
});
