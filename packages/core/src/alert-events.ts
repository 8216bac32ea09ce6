/** How bad an alert is: `warning` wants a look soon, `critical` wants one now. */
export type AlertSeverity = 'warning' | 'critical';

/** An alert as `@bulwark/alerts` raises it. */
export interface AlertRaisedEvent {
  /** Unique among active alerts: the rule id, plus `:subject` for a rule that watches several things. */
  alertId: string;
  /** The rule that fired, such as `rateLimited` or `circuitOpen`. */
  ruleId: string;
  /** What the alert is about when a rule watches several things: a model, a model class, a budget. */
  subject?: string;
  severity: AlertSeverity;
  /** One sentence for a person: what was seen, against what bound. */
  message: string;
  /** The observed value that crossed the threshold (a share 0–1, milliseconds, a count: the rule says). */
  value: number;
  /** The rule's threshold, in the same unit as `value`. */
  threshold: number;
  /** When it was raised, epoch milliseconds on the watcher's clock. */
  at: number;
}

/** An alert that is no longer true: the value went back past the rule's resolve bound. */
export interface AlertResolvedEvent extends AlertRaisedEvent {
  /** When the alert was raised. */
  raisedAt: number;
}
