import {
  type AlertRaisedEvent,
  type BulwarkEventListeners,
  type Bus,
  type Clock,
  createSystemClock,
  type Logger,
} from '@bulwark/core';
import {
  createSafeLogger,
  defineOptions,
  expectKnownKeys,
  type OptionGroup,
  type OptionSchema,
  option,
  parseOptions,
  silentLogger,
} from '@bulwark/core/internal';
import { AlertEngine } from './internal/alert-engine.js';
import { BudgetRule } from './internal/budget-rule.js';
import { CircuitRule } from './internal/circuit-rule.js';
import { LatencyRule } from './internal/latency-rule.js';
import { QueueRule } from './internal/queue-rule.js';
import type { AlertRule } from './internal/rule.js';
import { ShareRule, shareDefinitions } from './internal/share-rules.js';
import { ThroughputRule } from './internal/throughput-rule.js';
import { WebhookSink } from './internal/webhook-sink.js';
import {
  type AlertRulesOptions,
  budgetRuleOptions,
  circuitRuleOptions,
  latencyRuleOptions,
  queueRuleOptions,
  shareRuleOptions,
  throughputRuleOptions,
} from './rule-options.js';
import { type WebhookOptions, webhookOptions } from './webhook.js';

export interface WatchAlertsOptions {
  /** Tune a built-in rule by id, or turn it off with `false`. @default every rule, with its defaults */
  rules?: AlertRulesOptions;
  /** The sliding window the rate, share and percentile rules look at. @default 300000 @unit milliseconds */
  windowMs?: number;
  /** How often the rules are evaluated. @default 1000 @unit milliseconds */
  evaluateEveryMs?: number;
  /**
   * How far past its threshold a value must come back before an alert resolves, as a share of
   * the threshold (an alert raised at 10 % resolves below 8 %), so it does not flap. @default 0.2
   */
  hysteresis?: number;
  /** Time and timers. @default the system clock, with timers that do not keep Node alive */
  clock?: Clock;
  /** Posts each alert as JSON. @default none */
  webhook?: WebhookOptions;
  /** Where failed webhook deliveries are reported (secrets redacted). @default none */
  logger?: Logger;
}

/** What `watchAlerts` returns. */
export interface AlertWatcher {
  /** The alerts raised and not yet resolved, oldest first. */
  active(): AlertRaisedEvent[];
  /** Resolves when every webhook delivery queued so far was made or given up. */
  flush(): Promise<void>;
  /** Stops evaluating, unsubscribes from the bus and drops webhook deliveries not yet made. */
  detach(): void;
}

const watchOptions = defineOptions<WatchAlertsOptions>()({
  rules: option.instance<AlertRulesOptions>('an object of rule options', () => true),
  windowMs: option.number({ min: 1, default: 300_000 }),
  evaluateEveryMs: option.number({ min: 1, default: 1_000 }),
  hysteresis: option.number({ min: 0, max: 1, default: 0.2 }),
  clock: option.instance<Clock>('a Clock', (value) => typeof (value as Clock).now === 'function'),
  webhook: option.group(webhookOptions),
  logger: option.instance<Logger>('a Logger', (value) => typeof (value as Logger).warn === 'function'),
});

/** The built-in rules, in evaluation order. */
export const ruleIds = [
  'rateLimited',
  'failures',
  'stalls',
  'retries',
  'circuitOpen',
  'budgetNearLimit',
  'budgetExceeded',
  'timeToFirstToken',
  'slowOutput',
  'queueGrowing',
] as const satisfies ReadonlyArray<keyof AlertRulesOptions>;

const shareDefaults = {
  rateLimited: { threshold: 0.1, severity: 'warning' },
  failures: { threshold: 0.05, severity: 'critical' },
  stalls: { threshold: 0.05, severity: 'warning' },
  retries: { threshold: 0.25, severity: 'warning' },
} as const;

interface BuildContext {
  windowMs: number;
  hysteresis: number;
  now: () => number;
}

/** Builds the rule of `id` from its options (already known not to be `false`). */
function buildRule(id: (typeof ruleIds)[number], input: unknown, context: BuildContext): AlertRule {
  const { windowMs, hysteresis, now } = context;
  const parse = <T extends object>(group: OptionGroup<T, OptionSchema<T>>) =>
    parseOptions(`options.rules.${id}`, input, group) as Required<T>;
  switch (id) {
    case 'rateLimited':
    case 'failures':
    case 'stalls':
    case 'retries':
      return new ShareRule(
        shareDefinitions[id],
        parse(shareRuleOptions(shareDefaults[id])),
        windowMs,
        hysteresis,
        now,
      );
    case 'circuitOpen':
      return new CircuitRule(parse(circuitRuleOptions).severity);
    case 'budgetNearLimit':
      return new BudgetRule(id, parse(budgetRuleOptions({ threshold: 0.8, severity: 'warning' })), now);
    case 'budgetExceeded':
      return new BudgetRule(id, parse(budgetRuleOptions({ threshold: 1, severity: 'critical' })), now);
    case 'timeToFirstToken':
      return new LatencyRule(parse(latencyRuleOptions), windowMs, hysteresis, now);
    case 'slowOutput':
      return new ThroughputRule(parse(throughputRuleOptions), windowMs, hysteresis, now);
    case 'queueGrowing':
      return new QueueRule(parse(queueRuleOptions), now);
  }
}

function buildRules(rules: AlertRulesOptions, context: BuildContext): AlertRule[] {
  expectKnownKeys('options.rules', rules as Record<string, unknown>, ruleIds);
  const built: AlertRule[] = [];
  for (const id of ruleIds) {
    const input = rules[id];
    if (input === false) continue;
    built.push(buildRule(id, input, context));
  }
  return built;
}

/**
 * Watches `bus` and raises `alert:raised` / `alert:resolved` on it as the built-in rules see
 * trouble: a high 429 or failure share, stalls, retries, an open circuit breaker, a budget near
 * or past its limit, a slow p95 time to first token, output slower than a model's learnt rate,
 * a rate-limit queue that keeps growing. Rules look at a sliding window and resolve past a
 * hysteresis bound, so an alert does not flap. With `webhook`, each alert is also posted as
 * JSON, in the background. Runs on any runtime.
 */
export function watchAlerts(bus: Bus, options: WatchAlertsOptions = {}): AlertWatcher {
  const settings = parseOptions('options', options, watchOptions);
  const clock = settings.clock ?? createSystemClock({ unref: true });
  const logger = createSafeLogger(settings.logger ?? silentLogger);
  const rules = buildRules(settings.rules ?? {}, {
    windowMs: settings.windowMs,
    hysteresis: settings.hysteresis,
    now: () => clock.now(),
  });
  const webhook = settings.webhook
    ? new WebhookSink({
        url: settings.webhook.url,
        headers: settings.webhook.headers ?? {},
        timeoutMs: settings.webhook.timeoutMs!,
        maxAttempts: settings.webhook.maxAttempts!,
        retryDelayMs: settings.webhook.retryDelayMs!,
        maxQueue: settings.webhook.maxQueue!,
        fetch: settings.webhook.fetch ?? ((input, init) => globalThis.fetch(input, init)),
        clock,
        logger,
      })
    : undefined;
  const engine = new AlertEngine(bus, rules, clock, settings.evaluateEveryMs, webhook);
  const unsubscribe = subscribeRules(bus, rules);
  engine.start();
  return {
    active: () => engine.active(),
    flush: async () => webhook?.flush(),
    detach() {
      unsubscribe();
      engine.stop();
      webhook?.stop();
    },
  };
}

/** Subscribes every rule's listeners; returns the function that unsubscribes them. */
function subscribeRules(bus: Bus, rules: readonly AlertRule[]): () => void {
  const subscriptions: Array<[keyof BulwarkEventListeners, (payload: never) => void]> = [];
  for (const rule of rules) {
    for (const [name, listener] of Object.entries(rule.listeners)) {
      subscriptions.push([name as keyof BulwarkEventListeners, listener as (payload: never) => void]);
    }
  }
  for (const [name, listener] of subscriptions) bus.on(name, listener as never);
  return () => {
    for (const [name, listener] of subscriptions) bus.off(name, listener as never);
  };
}
