import type { Bus } from './bus.js';
import { type BulwarkEventName, bulwarkEventNames } from './events.js';
import { createSafeLogger, type Logger, type LogLevel } from './logger.js';

const defaultLevels: Record<BulwarkEventName, Exclude<LogLevel, 'silent'>> = {
  'request:start': 'debug',
  'request:end': 'info',
  'request:error': 'warn',
  'retry:scheduled': 'warn',
  'stream:first_token': 'debug',
  'stream:progress': 'debug',
  'stream:stall': 'warn',
  'stream:resume': 'info',
  'stream:continue': 'info',
  'fallback:switched': 'warn',
  'circuit:state': 'warn',
  usage: 'debug',
  'checkpoint:saved': 'debug',
  'checkpoint:failed': 'warn',
  'ratelimit:wait': 'debug',
  'ratelimit:admit': 'debug',
  'ratelimit:update': 'debug',
  'ratelimit:throttled': 'warn',
  'ratelimit:store_failed': 'warn',
  'budget:exceeded': 'error',
  'budget:level': 'debug',
  'file:chunk': 'debug',
  'file:refused': 'warn',
  'alert:raised': 'warn',
  'alert:resolved': 'info',
  'batch:job_start': 'info',
  'batch:submitted': 'info',
  'batch:progress': 'debug',
  'batch:ended': 'info',
  'batch:collected': 'info',
  'batch:retrying': 'warn',
  'batch:throttled': 'warn',
  'batch:canceled': 'warn',
  'batch:job_end': 'info',
};

export interface AttachLoggerOptions {
  /** Drop events logged below this level. @default 'info' */
  level?: LogLevel;
  /** Override the level an event is logged at. */
  levels?: Partial<Record<BulwarkEventName, Exclude<LogLevel, 'silent'>>>;
}

/**
 * Logs every bus event to `logger` as `(payload with event name, event name)`, with secrets
 * redacted. Returns a function that unsubscribes.
 */
export function attachLogger(
  bus: Bus,
  logger: Logger,
  { level = 'info', levels = {} }: AttachLoggerOptions = {},
): () => void {
  const safeLogger = createSafeLogger(logger, { level });
  const unsubscribers = bulwarkEventNames.map((eventName) => {
    const method = levels[eventName] ?? defaultLevels[eventName];
    const listener = (payload: object): void => {
      safeLogger[method]({ event: eventName, ...payload }, eventName);
    };
    bus.on(eventName, listener);
    return () => bus.off(eventName, listener);
  });
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
