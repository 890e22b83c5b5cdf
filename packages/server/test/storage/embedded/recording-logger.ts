import type { LogFields, LogLevel, Logger } from '../../../src/logger.js';

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** A Logger that keeps every line, so tests can assert what recovery reported. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly base: LogFields = {},
  ) {}
  private push(level: LogLevel, message: string, fields?: LogFields): void {
    this.lines.push({ level, message, fields: { ...this.base, ...fields } });
  }
  debug(message: string, fields?: LogFields): void {
    this.push('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.push('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.push('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.push('error', message, fields);
  }
  child(fields: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.base, ...fields });
  }
  isLevelEnabled(): boolean {
    return true;
  }
  at(level: LogLevel): LogLine[] {
    return this.lines.filter((l) => l.level === level);
  }
  clear(): void {
    this.lines.length = 0;
  }
}
