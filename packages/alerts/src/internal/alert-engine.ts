import type { AlertRaisedEvent, Bus, Clock, ClockTimer } from '@bulwark/core';
import type { AlertRule, RuleCheck } from './rule.js';
import type { WebhookSink } from './webhook-sink.js';

/**
 * Evaluates the rules every `evaluateEveryMs` on the clock and turns their checks into
 * `alert:raised` / `alert:resolved` on the bus (and the webhook): an alert is raised when its
 * check says `raise` and it is not active, resolved when it is active and the check says
 * `resolve`. Between the two bounds nothing changes, which is the hysteresis.
 */
export class AlertEngine {
  private readonly raised = new Map<string, AlertRaisedEvent>();
  private timer: ClockTimer | undefined;
  private stopped = false;

  constructor(
    private readonly bus: Bus,
    private readonly rules: readonly AlertRule[],
    private readonly clock: Clock,
    private readonly evaluateEveryMs: number,
    private readonly webhook: WebhookSink | undefined,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  active(): AlertRaisedEvent[] {
    return [...this.raised.values()].map((alert) => ({ ...alert }));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.evaluate();
      this.schedule();
    }, this.evaluateEveryMs);
  }

  /** One round over every rule. */
  evaluate(): void {
    const nowMs = this.clock.now();
    for (const rule of this.rules) {
      const isActive = (subject: string | undefined): boolean => this.raised.has(alertIdOf(rule, subject));
      for (const check of rule.check(nowMs, isActive)) this.apply(rule, check, nowMs);
    }
  }

  private apply(rule: AlertRule, check: RuleCheck, nowMs: number): void {
    const alertId = alertIdOf(rule, check.subject);
    const current = this.raised.get(alertId);
    if (!current && check.raise) {
      const alert: AlertRaisedEvent = {
        alertId,
        ruleId: rule.id,
        ...(check.subject === undefined ? {} : { subject: check.subject }),
        severity: rule.severity,
        message: check.message,
        value: check.value,
        threshold: check.threshold,
        at: nowMs,
      };
      this.raised.set(alertId, alert);
      this.bus.emit('alert:raised', alert);
      this.webhook?.send({ event: 'alert:raised', ...alert });
    } else if (current && check.resolve) {
      this.raised.delete(alertId);
      const resolved = {
        ...current,
        message: check.message,
        value: check.value,
        at: nowMs,
        raisedAt: current.at,
      };
      this.bus.emit('alert:resolved', resolved);
      this.webhook?.send({ event: 'alert:resolved', ...resolved });
    }
  }
}

function alertIdOf(rule: AlertRule, subject: string | undefined): string {
  return subject === undefined ? rule.id : `${rule.id}:${subject}`;
}
