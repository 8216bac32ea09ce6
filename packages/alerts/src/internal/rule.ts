import type { AlertSeverity, BulwarkEventListeners } from '@bulwark/core';

/** What a rule found for one subject at one evaluation. */
export interface RuleCheck {
  /** What the check is about, for a rule that watches several things (a model, a budget). */
  subject?: string;
  value: number;
  threshold: number;
  /** The condition holds: raise the alert if it is not active. */
  raise: boolean;
  /** The condition is clearly over (past the hysteresis bound): resolve the alert if it is active. */
  resolve: boolean;
  message: string;
}

/** A built-in rule: the bus events it reads, and an evaluation over what it read. */
export interface AlertRule {
  readonly id: string;
  readonly severity: AlertSeverity;
  readonly listeners: Partial<BulwarkEventListeners>;
  /** The checks at `nowMs`; `isActive(subject)` says whether the alert for that subject is raised. */
  check(nowMs: number, isActive: (subject: string | undefined) => boolean): RuleCheck[];
}

/** The value below which an above-threshold alert resolves. */
export function resolveBelow(threshold: number, hysteresis: number): number {
  return threshold * (1 - hysteresis);
}

/** Formats a share as a percentage for messages. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}
