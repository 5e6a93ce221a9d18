/** Durations with units, load stages, how parts split them, and the flags that set them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultWorkers, parseOptions, UsageError } from '../../bots/options.ts';
import {
  measureFromS,
  parseDuration,
  parseStages,
  partStages,
  peakTarget,
  rampStages,
  shareOf,
  stagesDurationS,
  targetAt,
} from '../../bots/stages.ts';
import { workerOptions } from '../../bots/workers.ts';

describe('parseDuration', () => {
  it('reads units and bare seconds', () => {
    assert.equal(parseDuration('--d', '90s'), 90);
    assert.equal(parseDuration('--d', '2m'), 120);
    assert.equal(parseDuration('--d', '1.5h'), 5400);
    assert.equal(parseDuration('--d', '250ms'), 0.25);
    assert.equal(parseDuration('--d', '45'), 45);
    assert.equal(parseDuration('--d', ' 3 s '), 3);
  });
  it('rejects anything else, naming the flag', () => {
    for (const bad of ['', 'm', '2 minutes', '-5s', '1d', '1e3', '5s5'])
      assert.throws(() => parseDuration('--ramp', bad), /--ramp must be a duration/u, bad);
  });
});

describe('stages', () => {
  const stages = parseStages('30s:100,2m:500,30s:0');

  it('parse into durations and targets', () => {
    assert.deepEqual(stages, [
      { durationS: 30, target: 100 },
      { durationS: 120, target: 500 },
      { durationS: 30, target: 0 },
    ]);
    assert.equal(stagesDurationS(stages), 180);
    assert.equal(peakTarget(stages), 500);
    for (const bad of ['', '30s', '30s:', 'x:10', '30s:-1', '30s:1.5', '30s:2000000'])
      assert.throws(() => parseStages(bad), /--stages/u, bad);
  });

  it('give the target at any time, linear within a stage, whole bots', () => {
    assert.equal(targetAt(stages, 0), 0);
    assert.equal(targetAt(stages, 15), 50);
    assert.equal(targetAt(stages, 0.1), 1, 'a growing stage rounds up: the first bot comes at once');
    assert.equal(targetAt(stages, 30), 100);
    assert.equal(targetAt(stages, 90), 300);
    assert.equal(targetAt(stages, 150), 500);
    assert.equal(targetAt(stages, 165), 250);
    assert.equal(targetAt(stages, 179.9), 1, 'a shrinking stage rounds down');
    assert.equal(targetAt(stages, 180), 0);
    assert.equal(targetAt(stages, 999), 0);
    assert.equal(
      targetAt(
        [
          { durationS: 0, target: 7 },
          { durationS: 10, target: 7 },
        ],
        0,
      ),
      7,
      'a zero-length stage jumps',
    );
  });

  it('split into parts that add up to the whole at every moment', () => {
    for (const count of [1, 2, 3, 7]) {
      const parts = Array.from({ length: count }, (_, i) => partStages(stages, i, count));
      for (let t = 0; t <= 180; t += 0.5) {
        const whole = targetAt(stages, t);
        const sum = parts.reduce((acc, p) => acc + targetAt(p, t), 0);
        // Each part rounds on its own, so mid-stage the sum may differ from the whole by less than one bot per part.
        assert.ok(Math.abs(sum - whole) < count, `t=${t}: ${sum} vs ${whole} over ${count} parts`);
      }
      for (const s of stages)
        assert.equal(
          parts.reduce((acc, _p, i) => acc + shareOf(s.target, i, count), 0),
          s.target,
          'stage targets split exactly',
        );
    }
    assert.deepEqual(
      [0, 1, 2].map((i) => shareOf(10, i, 3)),
      [3, 3, 4],
    );
  });

  it('measure after a ramp from zero, else from the start', () => {
    assert.equal(measureFromS(stages), 30);
    assert.equal(measureFromS(rampStages(10, 30, 5)), 5);
    assert.equal(measureFromS(rampStages(10, 30, 0)), 0);
    assert.equal(
      measureFromS([
        { durationS: 10, target: 5 },
        { durationS: 1, target: 5 },
      ]),
      0,
      'less than 2 s after the ramp: measure it all',
    );
    assert.deepEqual(rampStages(10, 30, 5), [
      { durationS: 5, target: 10 },
      { durationS: 25, target: 10 },
    ]);
  });
});

describe('bot options for scaling out', () => {
  it('take durations with units and stages', () => {
    const o = parseOptions(
      ['--url', 'http://h:1', '--duration', '2m', '--ramp', '30s', '--ping-interval', '500ms', '--chat-interval', '1m'],
      false,
    );
    assert.equal(o.durationS, 120);
    assert.equal(o.rampS, 30);
    assert.equal(o.pingIntervalS, 0.5);
    assert.equal(o.chatIntervalS, 60);
    assert.deepEqual(o.stages, [
      { durationS: 30, target: 10 },
      { durationS: 90, target: 10 },
    ]);
    const s = parseOptions(['--url', 'http://h:1', '--stages', '30s:100,2m:500,30s:0'], false);
    assert.equal(s.bots, 500);
    assert.equal(s.durationS, 180);
    assert.equal(s.rampS, 30);
  });

  it('take workers and a shard, and split them into parts', () => {
    const o = parseOptions(
      ['--url', 'http://h:1', '--workers', '3', '--shard', '1/4', '--metrics-token', 'tok'],
      false,
    );
    assert.equal(o.workers, 3);
    assert.deepEqual(o.shard, { index: 1, count: 4 });
    assert.deepEqual(o.part, { index: 1, count: 4 });
    const parts = [0, 1, 2].map((w) => workerOptions(o, w));
    assert.deepEqual(
      parts.map((p) => p.part),
      [
        { index: 3, count: 12 },
        { index: 4, count: 12 },
        { index: 5, count: 12 },
      ],
    );
    assert.deepEqual(
      parts.map((p) => p.metricsUrls.length),
      [1, 0, 0],
      'only the first worker scrapes',
    );
    assert.ok(parts.every((p) => p.reportDir === undefined && p.progress === 'none'));
  });

  it('take the shard of a Cloud Run Jobs task from its environment, and put it in the report directory', () => {
    const env = { CLOUD_RUN_TASK_INDEX: '2', CLOUD_RUN_TASK_COUNT: '3' };
    const o = parseOptions(
      ['--url', 'http://h:1', '--report-dir', '/reports/run/shard-{shard}'],
      false,
      new Date(),
      env,
    );
    assert.deepEqual(o.shard, { index: 2, count: 3 });
    assert.equal(o.reportDir, '/reports/run/shard-2');
    assert.deepEqual(
      parseOptions(['--url', 'http://h:1', '--shard', '0/3'], false, new Date(), env).shard,
      { index: 0, count: 3 },
      'the flag wins',
    );
    assert.match(
      parseOptions(['--url', 'http://h:1', '--shard', '1/2'], false, new Date('2030-01-01T00:00:00Z'), {}).reportDir!,
      /-shard-1$/u,
    );
    assert.throws(
      () => parseOptions(['--url', 'http://h:1'], false, new Date(), { CLOUD_RUN_TASK_COUNT: '2' }),
      /CLOUD_RUN_TASK_INDEX/u,
    );
  });

  it('default to every core, minus one for a local server', () => {
    assert.equal(defaultWorkers('http://localhost:2567', 8), 7);
    assert.equal(defaultWorkers('http://127.0.0.1:2567', 2), 1);
    assert.equal(defaultWorkers('http://[::1]:2567', 4), 3);
    assert.equal(defaultWorkers('https://game.example', 8), 8);
    assert.equal(defaultWorkers('http://localhost:2567', 1), 1);
  });

  it('reject bad values with a message naming the flag', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--url', 'http://h:1', '--duration', '2 minutes'], /--duration must be a duration/u],
      [['--url', 'http://h:1', '--duration', '10s', '--ramp', '11s'], /--ramp/u],
      [['--url', 'http://h:1', '--stages', '30s:0'], /--stages must bring in at least one bot/u],
      [['--url', 'http://h:1', '--stages', '30s:10', '--bots', '5'], /--stages replaces/u],
      [['--url', 'http://h:1', '--stages', '25h:10'], /--stages must last/u],
      [['--url', 'http://h:1', '--workers', '0'], /--workers/u],
      [['--url', 'http://h:1', '--shard', '2/2'], /--shard must be I\/N/u],
      [['--url', 'http://h:1', '--shard', '1'], /--shard/u],
    ];
    for (const [args, message] of cases)
      assert.throws(
        () => parseOptions(args, false),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
        args.join(' '),
      );
  });
});
