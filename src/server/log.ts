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
  /**
   * Warnings and errors of one message (same level and `msg`) beyond `burst` in a window of
   * `windowMs` from the first are counted instead of written, and one line at the window's end
   * says how many were left out (`repeated`). An outage fails every request the same way: the
   * first lines carry the cause, and the log stays readable instead of growing by a stack trace
   * per request. Default 5 per 10 s; `false` writes every line.
   */
  repeats?: { burst: number; windowMs: number } | false;
  /** Runs `fn` once after `ms` without keeping the process alive; for `repeats`. Tests pass their own. */
  later?: (fn: () => void, ms: number) => void;
}

export const DEFAULT_LOG_REPEATS = { burst: 5, windowMs: 10_000 };

const unrefLater = (fn: () => void, ms: number): void => {
  setTimeout(fn, ms).unref();
};

/** A message's window: lines written and left out so far. */
interface Repeats {
  written: number;
  left: number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  if (options.quiet) return silentLogger;
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const repeats = options.repeats === undefined ? DEFAULT_LOG_REPEATS : options.repeats;
  const later = options.later ?? unrefLater;
  const windows = new Map<string, Repeats>();
  /** False when this line is one repeat too many; opens a message's window on its first line. */
  const admit = (level: LogLevel, msg: string): boolean => {
    if (repeats === false || RANK[level] < RANK.warn) return true;
    const key = `${level} ${msg}`;
    const open = windows.get(key);
    if (open === undefined) {
      const window: Repeats = { written: 1, left: 0 };
      windows.set(key, window);
      later(() => {
        windows.delete(key);
        if (window.left > 0) {
          line(level, msg, { repeated: window.left, windowMs: repeats.windowMs });
        }
      }, repeats.windowMs);
      return true;
    }
    if (open.written < repeats.burst) {
      open.written++;
      return true;
    }
    open.left++;
    return false;
  };
  const line = (level: LogLevel, msg: string, fields?: LogFields): void => {
    let text: string;
    try {
      text = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields });
    } catch {
      text = JSON.stringify({
        ts: new Date().toISOString(),
        level,
        msg,
        fields: '[unserializable]',
      });
    }
    write(text + '\n');
  };
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < min || !admit(level, msg)) return;
    line(level, msg, fields);
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

/**
 * A configured URL as the log may show it: scheme, host and path. The user, password and query
 * string are left out, since a URL can carry credentials in each; one that does not parse is not
 * repeated at all, for the same reason.
 */
export function shownUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(a URL that does not parse)';
  }
}
