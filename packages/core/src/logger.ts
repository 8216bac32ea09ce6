import { redactSecrets } from './redact.js';

/** One log method, callable as pino's `(fields, message)` or console's `(message, ...rest)`. */
export type LogMethod = (fieldsOrMessage: unknown, ...rest: unknown[]) => void;

/**
 * The logger Bulwark writes to: any object with these four methods, such as `console` or a
 * pino logger. Bulwark calls them as `(fields, message)`, which both accept.
 */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const levelOrder: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/**
 * Wraps `logger` so that everything passed to it goes through `redactSecrets` first and
 * calls below `level` are dropped. @default level 'info'
 */
export function createSafeLogger(logger: Logger, { level = 'info' }: { level?: LogLevel } = {}): Logger {
  const threshold = levelOrder[level];
  const wrap =
    (method: Exclude<LogLevel, 'silent'>): LogMethod =>
    (fieldsOrMessage, ...rest) => {
      if (levelOrder[method] < threshold) return;
      logger[method](redactSecrets(fieldsOrMessage), ...rest.map((item) => redactSecrets(item)));
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
