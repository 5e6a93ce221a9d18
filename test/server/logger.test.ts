/** The framework log adapter: Colyseus's console-style calls become our JSON records, rate-limited. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAMEWORK_LINES_PER_S, frameworkLogger, type Logger } from '../../server/logger.ts';

function capture(): { log: Logger; lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const log: Logger = {
    debug: (msg, fields) => lines.push({ level: 'debug', msg, ...(fields ? { fields } : {}) }),
    info: (msg, fields) => lines.push({ level: 'info', msg, ...(fields ? { fields } : {}) }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, ...(fields ? { fields } : {}) }),
    error: (msg, fields) => lines.push({ level: 'error', msg, ...(fields ? { fields } : {}) }),
    child: () => log,
  };
  return { log, lines };
}

describe('frameworkLogger', () => {
  it('maps levels and passes errors along for their stack', () => {
    const { log, lines } = capture();
    const colyseus = frameworkLogger(log, () => 0);
    colyseus.info('room', 'created', { id: 1 });
    colyseus.error(new Error('boom'));
    colyseus.trace('detail');
    assert.deepEqual(
      lines.map((l) => l.level),
      ['info', 'error', 'debug'],
    );
    assert.equal(lines[0]!.msg, 'room created {"id":1}');
    assert.equal(lines[1]!.msg, 'Error: boom');
    assert.ok(lines[1]!.fields?.error instanceof Error, 'the Error itself, so the record gets its stack_trace');
    assert.match((lines[1]!.fields!.error as Error).stack ?? '', /^Error: boom\n\s+at /u);
  });

  it(`writes at most ${FRAMEWORK_LINES_PER_S} lines a second and reports how many it dropped`, () => {
    const { log, lines } = capture();
    let now = 10_000;
    const colyseus = frameworkLogger(log, () => now);
    for (let i = 0; i < FRAMEWORK_LINES_PER_S + 15; i++) colyseus.error(`bad frame ${i}`);
    assert.equal(lines.length, FRAMEWORK_LINES_PER_S);
    now += 1000;
    colyseus.error('next second');
    assert.deepEqual(lines.slice(-2), [
      {
        level: 'warn',
        msg: 'framework log lines suppressed (rate limit)',
        fields: { suppressed: 15, perSecond: FRAMEWORK_LINES_PER_S },
      },
      { level: 'error', msg: 'next second' },
    ]);
  });
});
