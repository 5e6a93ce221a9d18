/**
 * Structured JSON logs, one object per line on stdout (what Cloud Logging
 * parses): `severity`, `msg`, a timestamp and whatever fields the caller adds.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function serializeError(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** A logger writing records at or above `level`; `base` fields go on every record. */
export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}): Logger {
  const min = RANK[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < min) return;
    const record: Record<string, unknown> = { severity: lvl.toUpperCase(), time: new Date().toISOString(), msg, ...base };
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = serializeError(v);
    process.stdout.write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  };
}

/** Colyseus's logger interface: console-like, any arguments. */
export interface ConsoleLike {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  trace(...args: unknown[]): void;
}

/** Colyseus lines let through per second; the rest are counted, not written. */
export const FRAMEWORK_LINES_PER_S = 20;

/**
 * Colyseus's own messages as JSON records of ours, at most
 * {@link FRAMEWORK_LINES_PER_S} a second (how many were dropped is logged with
 * the first line of the next second): Colyseus prints a stack trace for
 * every undecodable client message, so a hostile client could otherwise
 * flood the logs (and the logging bill).
 */
export function frameworkLogger(log: Logger, nowMs: () => number = Date.now): ConsoleLike {
  let windowStart = 0;
  let written = 0;
  let suppressed = 0;
  const text = (args: unknown[]): string =>
    args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : JSON.stringify(a))).join(' ').slice(0, 4000);
  const emit = (write: (msg: string) => void, args: unknown[]): void => {
    const now = nowMs();
    if (now - windowStart >= 1000) {
      if (suppressed > 0) log.warn('framework log lines suppressed (rate limit)', { suppressed, perSecond: FRAMEWORK_LINES_PER_S });
      windowStart = now;
      written = 0;
      suppressed = 0;
    }
    if (written >= FRAMEWORK_LINES_PER_S) {
      suppressed += 1;
      return;
    }
    written += 1;
    write(text(args));
  };
  return {
    debug: (...args) => emit((m) => log.debug(m), args),
    trace: (...args) => emit((m) => log.debug(m), args),
    info: (...args) => emit((m) => log.info(m), args),
    warn: (...args) => emit((m) => log.warn(m), args),
    error: (...args) => emit((m) => log.error(m), args),
  };
}
