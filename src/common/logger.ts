// Structured, namespaced logging (pino), one child per component: log.child({ component: 'agent:proxy' }).
// Components receive a Logger; tests pass test/fakes/recording-logger.ts or `silentLogger`.
import { pino } from 'pino';

export interface LogFn {
  (msg: string): void;
  (obj: object, msg?: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name,
    level: opts.level ?? process.env.SKIFF_LOG_LEVEL ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  }) as unknown as Logger;
}

export const silentLogger: Logger = pino({ level: 'silent' }) as unknown as Logger;

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
