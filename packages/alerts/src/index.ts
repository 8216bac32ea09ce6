export type {
  AlertRuleId,
  AlertRulesOptions,
  BudgetRuleOptions,
  CircuitRuleOptions,
  LatencyRuleOptions,
  QueueRuleOptions,
  ShareRuleOptions,
  ThroughputRuleOptions,
} from './rule-options.js';
export { type AlertWatcher, type WatchAlertsOptions, watchAlerts } from './watch-alerts.js';
export type { WebhookBody, WebhookOptions } from './webhook.js';
