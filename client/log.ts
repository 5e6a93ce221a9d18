/**
 * The client's only door to the console. Everything else logs through here so
 * shipped code stays quiet by default: `?debug` in the page URL turns on debug
 * output when diagnosing a session in the field.
 */

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function initialLevel(): LogLevel {
  if (typeof window === 'undefined') return 'warn';
  return new URLSearchParams(window.location.search).has('debug') ? 'debug' : 'warn';
}

let threshold: LogLevel = initialLevel();

/** Change the threshold at runtime (e.g. from the devtools console). */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

function emit(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const line = `[arena] ${message}`;
  const args: unknown[] = fields ? [line, fields] : [line];
  if (level === 'error') console.error(...args);
  else if (level === 'warn') console.warn(...args);
  else if (level === 'info') console.info(...args);
  else console.debug(...args);
}

/** Structured logger: a message plus optional fields, filtered by level. */
export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => emit('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => emit('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => emit('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => emit('error', message, fields),
};
