/**
 * Structured logs, one record per line on stdout.
 *
 * The default `json` format is what Cloud Logging (App Engine flex, Cloud
 * Run) parses natively: `severity` is one of Cloud Logging's own severities
 * (`DEBUG`, `INFO`, `WARNING`, `ERROR`), the text is in `message`, `time` is
 * RFC 3339, and a record that carries an `Error` has its stack in
 * `stack_trace`, where Error Reporting looks. `ERROR` records also carry
 * Error Reporting's `@type`, so errors without a stack are reported too.
 * HTTP-scoped records get `logging.googleapis.com/trace` (see
 * {@link traceFields}) so Cloud Logging groups them under the request.
 *
 * The `pretty` format is for people at a terminal in development: one short
 * line per record, fields as `key=value`, stacks on the lines below.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** `json`: Cloud Logging structured records (default). `pretty`: human-readable lines. */
export type LogFormat = 'json' | 'pretty';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Cloud Logging's name for each level (its LogSeverity enum: `WARNING`, not `WARN`). */
export const SEVERITY = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' } as const;

/** Error Reporting's type marker: it makes an `ERROR` record count as an error event even without a stack. */
export const ERROR_EVENT_TYPE = 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent';

/** Keys the logger owns; a caller's field of the same name is kept under `field_<name>`. */
const RESERVED = new Set(['severity', 'message', 'time', 'stack_trace', '@type']);

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Default `json`. */
  format?: LogFormat;
  /** Where each finished line goes (newline included); default stdout. */
  write?: (line: string) => void;
  /** Clock for `time`; default `new Date()`. */
  now?: () => Date;
}

function serializeError(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** The finished record, before it is formatted. */
function buildRecord(
  lvl: Exclude<LogLevel, 'silent'>,
  msg: string,
  time: Date,
  base: Record<string, unknown>,
  fields: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const record: Record<string, unknown> = { severity: SEVERITY[lvl], message: msg, time: time.toISOString() };
  let stack: string | undefined;
  const put = (key: string, value: unknown): void => {
    const name = RESERVED.has(key) ? `field_${key}` : key;
    if (value instanceof Error && stack === undefined) {
      // The first error's stack goes to stack_trace (once per record, not twice).
      stack = value.stack ?? `${value.name}: ${value.message}`;
      record[name] = { name: value.name, message: value.message };
      return;
    }
    record[name] = serializeError(value);
  };
  for (const [k, v] of Object.entries(base)) put(k, v);
  if (fields) for (const [k, v] of Object.entries(fields)) put(k, v);
  if (stack !== undefined) record.stack_trace = stack;
  if (lvl === 'error') record['@type'] = ERROR_EVENT_TYPE;
  return record;
}

const PRETTY_SKIP = new Set(['severity', 'message', 'time', 'stack_trace', '@type']);

/** One human-readable line (plus the stack, indented, when there is one). */
export function formatPretty(record: Record<string, unknown>): string {
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const parts = [time, String(record.severity).padEnd(7), String(record.message)];
  for (const [k, v] of Object.entries(record)) {
    if (PRETTY_SKIP.has(k)) continue;
    // A serialized error ({ name, message[, stack] }) shows as its message; the stack is printed below.
    const value =
      v !== null && typeof v === 'object' && 'name' in v && 'message' in v ? (v as { message?: unknown }).message : v;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${k}=${typeof value === 'string' && /[\s"=]/u.test(value) ? JSON.stringify(value) : text}`);
  }
  const stack = typeof record.stack_trace === 'string' ? `\n    ${record.stack_trace.split('\n').join('\n    ')}` : '';
  return `${parts.join(' ')}${stack}`;
}

/** A logger writing records at or above `level`; `base` fields go on every record. */
export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  options: LoggerOptions = {},
): Logger {
  const min = RANK[level];
  const format = options.format ?? 'json';
  const out = options.write ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < min) return;
    const record = buildRecord(lvl, msg, now(), base, fields);
    out(`${format === 'pretty' ? formatPretty(record) : JSON.stringify(record)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, options),
  };
}

/** Cloud Logging's keys that tie a record to a request's trace. */
export const TRACE_KEY = 'logging.googleapis.com/trace';
export const SPAN_KEY = 'logging.googleapis.com/spanId';
export const TRACE_SAMPLED_KEY = 'logging.googleapis.com/trace_sampled';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/u;
const CLOUD_TRACE = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=([0-9]+))?$/u;
const ZERO_TRACE = /^0+$/u;
/** Longest trace header read; anything longer is not a real one. */
const MAX_TRACE_HEADER_CHARS = 128;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && text.length <= MAX_TRACE_HEADER_CHARS ? text.trim() : undefined;
}

/**
 * The fields that link a log record to the request's trace in Cloud Logging,
 * read from the W3C `traceparent` header or Google's `X-Cloud-Trace-Context`
 * (`TRACE_ID/SPAN_ID;o=1`, span id in decimal), both of which Google's front
 * ends add. Empty without a project id (the trace name needs it) or without a
 * well-formed header; malformed headers are ignored, never an error.
 */
export function traceFields(
  headers: Record<string, string | string[] | undefined>,
  projectId: string | undefined,
): Record<string, unknown> {
  if (projectId === undefined) return {};
  let traceId: string | undefined;
  let spanId: string | undefined;
  let sampled: boolean | undefined;
  const w3c = TRACEPARENT.exec(header(headers, 'traceparent') ?? '');
  if (w3c && !ZERO_TRACE.test(w3c[1]!) && !ZERO_TRACE.test(w3c[2]!)) {
    traceId = w3c[1]!;
    spanId = w3c[2]!;
    sampled = (Number.parseInt(w3c[3]!, 16) & 1) === 1;
  } else {
    const google = CLOUD_TRACE.exec(header(headers, 'x-cloud-trace-context') ?? '');
    if (google && !ZERO_TRACE.test(google[1]!)) {
      traceId = google[1]!.toLowerCase();
      if (google[2] !== undefined) {
        const span = BigInt(google[2]);
        if (span > 0n && span < 1n << 64n) spanId = span.toString(16).padStart(16, '0');
      }
      if (google[3] !== undefined) sampled = google[3] === '1';
    }
  }
  if (traceId === undefined) return {};
  return {
    [TRACE_KEY]: `projects/${projectId}/traces/${traceId}`,
    ...(spanId !== undefined ? { [SPAN_KEY]: spanId } : {}),
    ...(sampled !== undefined ? { [TRACE_SAMPLED_KEY]: sampled } : {}),
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
  // An Error shows as `Name: message`; its stack rides along as a field (the record's stack_trace).
  const text = (args: unknown[]): string =>
    args
      .map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : JSON.stringify(a)))
      .join(' ')
      .slice(0, 4000);
  const emit = (write: (msg: string, fields?: Record<string, unknown>) => void, args: unknown[]): void => {
    const now = nowMs();
    if (now - windowStart >= 1000) {
      if (suppressed > 0)
        log.warn('framework log lines suppressed (rate limit)', { suppressed, perSecond: FRAMEWORK_LINES_PER_S });
      windowStart = now;
      written = 0;
      suppressed = 0;
    }
    if (written >= FRAMEWORK_LINES_PER_S) {
      suppressed += 1;
      return;
    }
    written += 1;
    // The Error itself rides along, so the record's stack_trace is where Error Reporting looks.
    const error = args.find((a): a is Error => a instanceof Error);
    write(text(args), error ? { error } : undefined);
  };
  return {
    debug: (...args) => emit((m) => log.debug(m), args),
    trace: (...args) => emit((m) => log.debug(m), args),
    info: (...args) => emit((m) => log.info(m), args),
    warn: (...args) => emit((m, f) => log.warn(m, f), args),
    error: (...args) => emit((m, f) => log.error(m, f), args),
  };
}
