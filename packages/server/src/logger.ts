/**
 * Structured JSON logs, one object per line. Never pass secrets or record payloads as fields.
 */
export const LogLevel = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LogLevel;

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

export interface LogSink {
  write(line: string): unknown;
}

function errorFields(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message, stack: value.stack };
    if ('code' in value) out.code = (value as { code: unknown }).code;
    if (value.cause !== undefined) out.cause = errorFields(value.cause);
    return out;
  }
  return value;
}

export class JsonLogger implements Logger {
  private readonly threshold: number;
  constructor(
    private readonly level: LogLevel,
    private readonly sink: LogSink = process.stderr,
    private readonly base: LogFields = {},
  ) {
    this.threshold = LogLevel[level];
  }
  isLevelEnabled(level: LogLevel): boolean {
    return LogLevel[level] >= this.threshold;
  }
  private emit(level: LogLevel, message: string, fields?: LogFields): void {
    if (LogLevel[level] < this.threshold) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg: message, ...this.base };
    if (fields) for (const [k, v] of Object.entries(fields)) line[k] = errorFields(v);
    this.sink.write(JSON.stringify(line) + '\n');
  }
  debug(message: string, fields?: LogFields): void {
    this.emit('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.emit('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.emit('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.emit('error', message, fields);
  }
  child(fields: LogFields): Logger {
    return new JsonLogger(this.level, this.sink, { ...this.base, ...fields });
  }
}

export const silentLogger: Logger = new JsonLogger('silent');
