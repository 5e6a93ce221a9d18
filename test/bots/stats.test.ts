/** Percentiles, objectives and the command line of the bot runner. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions, UsageError } from '../../bots/options.ts';
import type { RunSummary } from '../../bots/report.ts';
import { evaluateSlos, parseSlos, SloParseError } from '../../bots/slo.ts';
import { LogHistogram, reportSummary } from '../../bots/stats.ts';

describe('LogHistogram', () => {
  it('gives percentiles within 1 % of the exact ones', () => {
    const h = new LogHistogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 0.05 + ((i * 7919) % 10_000) / 100);
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      assert.ok(Math.abs(h.percentile(q) - exact) / exact < 0.01, `p${q * 100}: ${h.percentile(q)} vs ${exact}`);
    }
    assert.equal(h.count, 10_000);
    assert.equal(h.max, Math.max(...values));
    assert.ok(Math.abs(h.summary().mean - values.reduce((a, b) => a + b) / values.length) < 1e-9);
  });

  it('ignores NaN and negatives, merges and resets, and reports empty as null', () => {
    const a = new LogHistogram();
    a.record(Number.NaN);
    a.record(-1);
    assert.equal(a.count, 0);
    assert.deepEqual(reportSummary(a.summary()), { count: 0, mean: null, p50: null, p90: null, p99: null, max: null });
    a.record(10);
    const b = new LogHistogram();
    b.record(1000);
    a.merge(b);
    assert.equal(a.count, 2);
    assert.equal(a.max, 1000);
    assert.ok(Math.abs(a.percentile(0.5) - 10) / 10 < 0.01);
    a.reset();
    assert.equal(a.count, 0);
  });
});

describe('objectives', () => {
  // Only the parts the objectives below read; typed so the whole summary type is comparable to it.
  const parts: { rttMs: RunSummary['rttMs']; perClient: { updatesPerS: number | null } } & Pick<
    RunSummary,
    'server'
  > & {
      bots: Pick<RunSummary['bots'], 'connectedRatio' | 'errors' | 'joinErrors'>;
    } = {
    rttMs: { count: 10, mean: 5, p50: 4, p90: 8, p99: 40, max: 60 },
    perClient: { updatesPerS: 29.9 },
    bots: { connectedRatio: 1, errors: 0, joinErrors: 2 },
    server: null,
  };
  const summary = parts as RunSummary;

  it("parses key=value with the key's own direction, and explicit operators", () => {
    assert.deepEqual(parseSlos('rtt.p99=50, updates.rate=25,join_errors<=0'), [
      { key: 'rtt.p99', op: '<=', threshold: 50 },
      { key: 'updates.rate', op: '>=', threshold: 25 },
      { key: 'join_errors', op: '<=', threshold: 0 },
    ]);
    assert.deepEqual(parseSlos('rtt.p50>=1.5'), [{ key: 'rtt.p50', op: '>=', threshold: 1.5 }]);
    for (const bad of ['rtt.p99', 'rtt.p99=fast', 'latency.p42=1', 'rtt.p99==5'])
      assert.throws(() => parseSlos(bad), SloParseError, bad);
  });

  it('passes and misses by direction; an unmeasured figure misses', () => {
    const results = evaluateSlos(parseSlos('rtt.p99=50,rtt.max=50,updates.rate=25,join_errors=0,tick.p99=2'), summary);
    assert.deepEqual(
      results.map((r) => [r.key, r.actual, r.pass]),
      [
        ['rtt.p99', 40, true],
        ['rtt.max', 60, false],
        ['updates.rate', 29.9, true],
        ['join_errors', 2, false],
        ['tick.p99', null, false],
      ],
    );
  });
});

describe('parseOptions', () => {
  it('has defaults and reads every flag', () => {
    const now = new Date('2030-01-02T03:04:05.678Z');
    const d = parseOptions(['--url', 'http://localhost:2567/'], false, now);
    assert.equal(d.url, 'http://localhost:2567');
    assert.equal(d.bots, 10);
    assert.equal(d.durationS, 30);
    assert.equal(d.rampS, 5);
    assert.deepEqual(d.metricsUrls, ['http://localhost:2567/metrics']);
    assert.equal(d.reportDir, 'bot-reports/2030-01-02T03-04-05-678Z');
    assert.equal(d.progress, 'lines');
    assert.equal(parseOptions(['--url', 'http://h:1'], true).progress, 'tty');

    const o = parseOptions(
      [
        '--url',
        'https://game.example',
        '--bots',
        '200',
        '--duration',
        '60',
        '--ramp',
        '20',
        '--decode-full',
        '5',
        '--movers',
        '0.125',
        '--chat-interval',
        '0',
        '--metrics-url',
        'http://a:1/metrics',
        '--metrics-url',
        'http://b:1/metrics',
        '--metrics-token',
        'tok',
        '--slo',
        'rtt.p99=50',
        '--slo',
        'errors=0,updates.rate=28',
        '--no-report',
        '--quiet',
        '--seed',
        '42',
      ],
      true,
    );
    assert.equal(o.bots, 200);
    assert.equal(o.rampS, 20);
    assert.equal(o.checkers, 5);
    assert.equal(o.movers, 0.125);
    assert.deepEqual(o.metricsUrls, ['http://a:1/metrics', 'http://b:1/metrics']);
    assert.equal(o.metricsToken, 'tok');
    assert.equal(o.slos.length, 3);
    assert.equal(o.reportDir, undefined);
    assert.equal(o.progress, 'none');
    assert.equal(o.seed, 42);
    assert.deepEqual(parseOptions(['--url', 'http://h:1', '--no-metrics'], false).metricsUrls, []);
    assert.equal(
      parseOptions(['--url', 'http://h:1', '--bots', '1'], false).checkers,
      1,
      'never more checkers than bots',
    );
  });

  it('rejects bad values with a message naming the flag', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /--url is required/u],
      [['--url', 'localhost:2567'], /--url must be an http/u],
      [['--url', 'http://h:1', '--bots', '0'], /--bots must be a whole number/u],
      [['--url', 'http://h:1', '--bots', '2.5'], /--bots/u],
      [['--url', 'http://h:1', '--duration', '10', '--ramp', '11'], /--ramp/u],
      [['--url', 'http://h:1', '--movers', '2'], /--movers/u],
      [['--url', 'http://h:1', '--progress', 'fancy'], /--progress/u],
      [['--url', 'http://h:1', '--slo', 'bogus=1'], /unknown --slo key/u],
      [['--url', 'http://h:1', '--what'], /Unknown option/u],
    ];
    for (const [args, message] of cases)
      assert.throws(
        () => parseOptions(args, false),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
        args.join(' '),
      );
  });
});
