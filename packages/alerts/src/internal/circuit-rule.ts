import type { AlertSeverity, BulwarkEventListeners, CircuitStateEvent } from '@bulwark/core';
import { type AlertRule, percent, type RuleCheck } from './rule.js';

/**
 * `circuitOpen`: raised while a model's breaker is open or half-open (from `circuit:state`),
 * resolved when it closes. Value 1 while not closed, against a threshold of 1.
 */
export class CircuitRule implements AlertRule {
  readonly id = 'circuitOpen';
  readonly listeners: Partial<BulwarkEventListeners>;
  private readonly states = new Map<string, CircuitStateEvent>();

  constructor(readonly severity: AlertSeverity) {
    this.listeners = {
      'circuit:state': (event) => {
        this.states.set(event.model, event);
      },
    };
  }

  check(): RuleCheck[] {
    const checks: RuleCheck[] = [];
    for (const [model, event] of this.states) {
      const open = event.state !== 'closed';
      checks.push({
        subject: model,
        value: open ? 1 : 0,
        threshold: 1,
        raise: open,
        resolve: !open,
        message: open
          ? `The circuit breaker of ${model} is ${event.state.replace('_', '-')} (${percent(event.failureRate)} of ${event.attempts} attempts failed)`
          : `The circuit breaker of ${model} is closed`,
      });
      if (!open) this.states.delete(model);
    }
    return checks;
  }
}
