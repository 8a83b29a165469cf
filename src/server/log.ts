/**
 * Structured logs: one JSON object per line on stdout, `{ ts, level, msg, ...fields }`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** False when lines of `level` are dropped, so costly debug output is not even built. */
  enabled?(level: LogLevel): boolean;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel;
  /** Write nothing (tests). */
  quiet?: boolean;
  /** Where lines go. Default `process.stdout`. */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  if (options.quiet) return silentLogger;
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < min) return;
    let line: string;
    try {
      line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields });
    } catch {
      line = JSON.stringify({
        ts: new Date().toISOString(),
        level,
        msg,
        fields: '[unserializable]',
      });
    }
    write(line + '\n');
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    enabled: (level) => RANK[level] >= min,
  };
}

const noop = (): void => {};
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  enabled: () => false,
};

/** Error fields fit for a log line (no stack in `info`, full stack for `error`). */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) return { err: err.message, stack: err.stack };
  return { err: String(err) };
}
