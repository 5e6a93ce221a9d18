/**
 * Log records against Cloud Logging's and Error Reporting's field rules:
 * `severity` from Cloud Logging's LogSeverity list, the text in `message`,
 * an RFC 3339 `time`, stacks in `stack_trace`, the trace on HTTP-scoped
 * records; and the `pretty` format for development.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import {
  createLogger,
  frameworkLogger,
  ERROR_EVENT_TYPE,
  SPAN_KEY,
  TRACE_KEY,
  TRACE_SAMPLED_KEY,
  traceFields,
  type LogLevel,
} from '../../server/logger.ts';
import { freePort, waitFor } from '../../harness/net.ts';

/** Cloud Logging's LogSeverity names (https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry#logseverity). */
const CLOUD_SEVERITIES = new Set([
  'DEFAULT',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'CRITICAL',
  'ALERT',
  'EMERGENCY',
]);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/u;

function capture(level: LogLevel = 'debug', format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const log = createLogger(
    level,
    { service: 'arena' },
    { format, write: (line) => lines.push(line), now: () => new Date('2026-01-02T03:04:05.678Z') },
  );
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The rules every record must meet, whatever its kind. */
function assertCloudLoggingRecord(record: Record<string, unknown>): void {
  assert.ok(
    CLOUD_SEVERITIES.has(record.severity as string),
    `severity ${String(record.severity)} is not a Cloud Logging severity`,
  );
  assert.equal(typeof record.message, 'string', 'the text must be in `message`');
  assert.ok(!('msg' in record), 'no `msg`: Cloud Logging would not show it as the text');
  assert.match(record.time as string, RFC3339);
}

describe('log records (json)', () => {
  it('writes one Cloud Logging record per line with its severity and message', () => {
    const { log, lines, records } = capture();
    log.debug('d', { n: 1 });
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.equal(lines.length, 4);
    for (const line of lines)
      assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'), 'one line per record');
    const all = records();
    for (const r of all) assertCloudLoggingRecord(r);
    assert.deepEqual(
      all.map((r) => r.severity),
      ['DEBUG', 'INFO', 'WARNING', 'ERROR'],
    );
    assert.deepEqual(
      all.map((r) => r.message),
      ['d', 'i', 'w', 'e'],
    );
    assert.equal(all[0]!.n, 1);
    assert.equal(all[0]!.service, 'arena');
    assert.equal(all[0]!.time, '2026-01-02T03:04:05.678Z');
  });

  it('puts an error stack in stack_trace and marks ERROR records for Error Reporting', () => {
    const { log, records } = capture();
    const boom = new Error('boom');
    log.error('room hand-off failed', { roomId: 'r1', error: boom });
    log.warn('retrying', { error: new TypeError('flaky') });
    log.error('drain deadline passed');
    const [withStack, warning, plain] = records();
    assertCloudLoggingRecord(withStack!);
    assert.equal(withStack!.stack_trace, boom.stack);
    assert.match(
      withStack!.stack_trace as string,
      /^Error: boom\n\s+at /u,
      'the language-native stack format Error Reporting parses',
    );
    assert.equal(withStack!['@type'], ERROR_EVENT_TYPE);
    assert.deepEqual(withStack!.error, { name: 'Error', message: 'boom' }, 'the stack is in stack_trace, once');
    assert.match(warning!.stack_trace as string, /^TypeError: flaky/u);
    assert.equal(warning!['@type'], undefined, 'only ERROR records are error events');
    assert.equal(plain!['@type'], ERROR_EVENT_TYPE);
    assert.equal(plain!.stack_trace, undefined);
  });

  it("gives Colyseus's own errors their stack_trace too", () => {
    const { log, records } = capture();
    const boom = new Error('undecodable message');
    frameworkLogger(log, () => 0).error('onMessage failed:', boom);
    const [r] = records();
    assertCloudLoggingRecord(r!);
    assert.equal(r!.severity, 'ERROR');
    assert.equal(r!.stack_trace, boom.stack);
    assert.equal(
      r!.message,
      'onMessage failed: Error: undecodable message',
      'a one-line message; the stack is in stack_trace',
    );
  });

  it("never lets a caller's field overwrite severity, message or time", () => {
    const { log, records } = capture();
    log.info('real text', { message: 'field', severity: 'DEBUG', time: 'x' });
    const [r] = records();
    assert.equal(r!.message, 'real text');
    assert.equal(r!.severity, 'INFO');
    assertCloudLoggingRecord(r!);
    assert.equal(r!.field_message, 'field');
    assert.equal(r!.field_severity, 'DEBUG');
  });

  it('filters by level and keeps child fields', () => {
    const { log, records } = capture('warn');
    const child = log.child({ roomId: 'abc' });
    child.info('hidden');
    child.warn('shown');
    assert.deepEqual(
      records().map((r) => [r.message, r.roomId, r.service]),
      [['shown', 'abc', 'arena']],
    );
  });
});

describe('traceFields', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('reads W3C traceparent', () => {
    assert.deepEqual(traceFields({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }, 'my-game'), {
      [TRACE_KEY]: `projects/my-game/traces/${TRACE}`,
      [SPAN_KEY]: '00f067aa0ba902b7',
      [TRACE_SAMPLED_KEY]: true,
    });
  });

  it('reads X-Cloud-Trace-Context, span id from decimal to 16 hex digits', () => {
    assert.deepEqual(traceFields({ 'x-cloud-trace-context': `${TRACE}/1;o=0` }, 'my-game'), {
      [TRACE_KEY]: `projects/my-game/traces/${TRACE}`,
      [SPAN_KEY]: '0000000000000001',
      [TRACE_SAMPLED_KEY]: false,
    });
    assert.deepEqual(traceFields({ 'x-cloud-trace-context': TRACE.toUpperCase() }, 'p-roject'), {
      [TRACE_KEY]: `projects/p-roject/traces/${TRACE}`,
    });
  });

  it('is empty without a project id or a well-formed header', () => {
    assert.deepEqual(traceFields({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }, undefined), {});
    for (const bad of [
      '',
      'garbage',
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE}-zzzz-01`,
      `00-${TRACE}-00f067aa0ba902b7-01${'x'.repeat(200)}`,
    ]) {
      assert.deepEqual(traceFields({ traceparent: bad }, 'my-game'), {}, bad);
    }
    assert.deepEqual(traceFields({ 'x-cloud-trace-context': 'nope/12' }, 'my-game'), {});
  });
});

describe('log records (pretty)', () => {
  it('writes one readable line with key=value fields and the stack below', () => {
    const { log, lines } = capture('debug', 'pretty');
    log.warn('seat expired', { roomId: 'r1', name: 'Ann Lee' });
    log.error('crash', { error: new Error('bad') });
    assert.equal(lines[0], '03:04:05.678 WARNING seat expired service=arena roomId=r1 name="Ann Lee"\n');
    assert.match(lines[1]!, /^03:04:05\.678 ERROR {3}crash service=arena error=bad\n {4}Error: bad\n {4}\s*at /u);
    assert.throws(() => JSON.parse(lines[0]!));
  });
});

describe('HTTP-scoped records of the app', () => {
  let app: App;
  let url: string;
  const lines: string[] = [];
  const records = (): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => {
    const port = await freePort();
    const config = loadConfig({
      PORT: String(port),
      LOG_LEVEL: 'info',
      CLIENT_DIST: 'dist/client',
      ADMIN_TOKEN: 'admin-token-1',
      GOOGLE_CLOUD_PROJECT: 'arena-prod',
    });
    app = await buildApp(
      config,
      createLogger(config.logLevel, { service: 'arena-test' }, { write: (line) => lines.push(line) }),
    );
    await app.listen(port);
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await app.server.gracefullyShutdown(false);
  });

  it('carries the trace of the request that caused them', async () => {
    const trace = 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5';
    const res = await fetch(`${url}/admin/rooms/nope/handoff`, {
      method: 'POST',
      headers: { 'X-Cloud-Trace-Context': `${trace}/123;o=1` },
    });
    assert.equal(res.status, 401);
    await waitFor(
      () => records().some((r) => r.message === 'admin request refused: missing or wrong bearer token'),
      'refusal logged',
      5000,
    );
    const refused = records().find((r) => r.message === 'admin request refused: missing or wrong bearer token')!;
    assertCloudLoggingRecord(refused);
    assert.equal(refused.severity, 'WARNING');
    assert.equal(refused[TRACE_KEY], `projects/arena-prod/traces/${trace}`);
    assert.equal(refused[SPAN_KEY], (123).toString(16).padStart(16, '0'));
    assert.equal(refused[TRACE_SAMPLED_KEY], true);
    for (const r of records()) assertCloudLoggingRecord(r);
  });
});
