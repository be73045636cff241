// A Logger that keeps what it was told, for assertions (instead of mocking pino).
import type { Logger } from '../../src/common/logger.js';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

export class RecordingLogger implements Logger {
  constructor(
    readonly records: LogRecord[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  private log(level: LogRecord['level'], a: unknown, b?: string): void {
    if (typeof a === 'string') this.records.push({ level, msg: a, fields: { ...this.bindings } });
    else this.records.push({ level, msg: b ?? '', fields: { ...this.bindings, ...(a as object) } });
  }

  debug = (a: any, b?: string) => this.log('debug', a, b);
  info = (a: any, b?: string) => this.log('info', a, b);
  warn = (a: any, b?: string) => this.log('warn', a, b);
  error = (a: any, b?: string) => this.log('error', a, b);

  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.records, { ...this.bindings, ...bindings });
  }
}
