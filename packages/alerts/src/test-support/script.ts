import {
  type AlertRaisedEvent,
  type AlertResolvedEvent,
  type Bus,
  createBus,
  createManualClock,
  type ManualClock,
} from '@bulwark/core';
import type { AlertRuleId, AlertRulesOptions } from '../rule-options.js';
import { type AlertWatcher, ruleIds, type WatchAlertsOptions, watchAlerts } from '../watch-alerts.js';

/** Rule options with every rule off but `id`, which gets `options`. */
export function only<Id extends AlertRuleId>(id: Id, options: AlertRulesOptions[Id] = {}): AlertRulesOptions {
  const rules: Record<string, unknown> = Object.fromEntries(ruleIds.map((rule) => [rule, false]));
  rules[id] = options;
  return rules as AlertRulesOptions;
}

export interface Scripted {
  bus: Bus;
  clock: ManualClock;
  watcher: AlertWatcher;
  /** Every alert event, in order, as `raised ruleId[:subject]` / `resolved ...`. */
  log: string[];
  raised: AlertRaisedEvent[];
  resolved: AlertResolvedEvent[];
  /** Calls `step(index)` every `everyMs` for `durationMs`, moving the clock (and the evaluations) along. */
  run(durationMs: number, everyMs: number, step: (index: number) => void): void;
}

/** A bus, a manual clock and a watcher on them, logging every alert event. */
export function scripted(options: WatchAlertsOptions, startMs = Date.UTC(2026, 0, 5, 10, 0, 0)): Scripted {
  const bus = createBus();
  const clock = createManualClock(startMs);
  const log: string[] = [];
  const raised: AlertRaisedEvent[] = [];
  const resolved: AlertResolvedEvent[] = [];
  bus.on('alert:raised', (alert) => {
    raised.push(alert);
    log.push(`raised ${alert.alertId}`);
  });
  bus.on('alert:resolved', (alert) => {
    resolved.push(alert);
    log.push(`resolved ${alert.alertId}`);
  });
  const watcher = watchAlerts(bus, { evaluateEveryMs: 1_000, windowMs: 60_000, ...options, clock });
  return {
    bus,
    clock,
    watcher,
    log,
    raised,
    resolved,
    run(durationMs, everyMs, step) {
      for (let index = 0; index * everyMs < durationMs; index += 1) {
        step(index);
        clock.tick(everyMs);
      }
    },
  };
}

/** Emits one attempt's start for `model`. */
export function attemptStarted(
  bus: Bus,
  requestId: string,
  model = 'claude-sonnet-4-6',
  streaming = true,
): void {
  bus.emit('request:start', {
    requestId,
    model,
    attempt: 1,
    streaming,
    streamingReason: streaming ? 'max_tokens' : 'not_needed',
    maxTokens: 8_000,
    resuming: false,
  });
}

/** Emits a request's successful end. */
export function requestEnded(bus: Bus, requestId: string, model = 'claude-sonnet-4-6'): void {
  bus.emit('request:end', {
    requestId,
    model,
    durationMs: 1_000,
    attempts: 1,
    retries: 0,
    resumes: 0,
    stopReason: 'end_turn',
    usage: { inputTokens: 10, outputTokens: 100, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
  });
}

/** Emits a failed attempt. */
export function attemptFailed(
  bus: Bus,
  requestId: string,
  { status, willRetry }: { status: number; willRetry: boolean },
  model = 'claude-sonnet-4-6',
): void {
  bus.emit('request:error', {
    requestId,
    model,
    attempt: 1,
    error: { name: 'APIError', message: `status ${status}`, status },
    willRetry,
    ...(willRetry ? {} : { giveUpReason: 'not_retryable' as const }),
  });
}

/** Yields to I/O until `condition()` holds (no timers involved); fails after many rounds. */
export async function waitFor(condition: () => boolean, rounds = 100_000): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`condition not reached: ${condition.toString()}`);
}
