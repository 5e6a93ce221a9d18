/** The Prometheus text reader: strict parsing and histogram arithmetic. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  histogramDelta,
  histogramOf,
  histogramQuantile,
  parsePrometheusText,
  PrometheusParseError,
  sumOf,
} from '../../common/prometheus.ts';

const TEXT = `# HELP req_total Requests.
# TYPE req_total counter
req_total{kind="a"} 3
req_total{kind="b",path="/x \\"q\\" \\\\ \\n"} 4 1700000000000
# HELP lag Lag in seconds.
# TYPE lag gauge
lag NaN
# TYPE d histogram
d_bucket{le="0.001",room="1"} 2
d_bucket{le="0.002",room="1"} 6
d_bucket{le="+Inf",room="1"} 8
d_sum{room="1"} 0.02
d_count{room="1"} 8
d_bucket{le="0.001",room="2"} 0
d_bucket{le="0.002",room="2"} 2
d_bucket{le="+Inf",room="2"} 2
d_sum{room="2"} 0.003
d_count{room="2"} 2
# a comment
untyped_thing 1.5e3
`;

describe('parsePrometheusText', () => {
  it('reads families, types, help, labels with escapes, and special values', () => {
    const s = parsePrometheusText(TEXT);
    assert.equal(s.get('req_total')?.type, 'counter');
    assert.equal(s.get('req_total')?.help, 'Requests.');
    assert.equal(sumOf(s, 'req_total'), 7);
    assert.equal(sumOf(s, 'req_total', { kind: 'b' }), 4);
    assert.equal(s.get('req_total')!.samples[1]!.labels.path, '/x "q" \\ \n');
    assert.ok(Number.isNaN(sumOf(s, 'lag')));
    assert.equal(s.get('d')?.type, 'histogram');
    assert.equal(s.get('d')?.samples.length, 10, 'buckets, sum and count belong to the family');
    assert.equal(s.get('untyped_thing')?.type, 'untyped');
    assert.equal(sumOf(s, 'untyped_thing'), 1500);
  });

  it('rejects malformed lines, naming the line', () => {
    const bad = [
      'metric',
      'metric{a="1" 2',
      'metric{a=1} 2',
      'metric{1a="x"} 2',
      'metric 1 2 3',
      'metric abc',
      '# TYPE m bogus',
      '9metric 1',
      'm{a="\\q"} 1',
    ];
    for (const text of bad)
      assert.throws(
        () => parsePrometheusText(`ok 1\n${text}\n`),
        (e: unknown) => e instanceof PrometheusParseError && /line 2/u.test(e.message),
        text,
      );
    assert.throws(() => parsePrometheusText('m 1\n# TYPE m gauge\n'), /TYPE of m after its samples/u);
  });

  it('folds histograms over label sets and interpolates quantiles like histogram_quantile', () => {
    const h = histogramOf(parsePrometheusText(TEXT), 'd')!;
    assert.deepEqual(h.bounds, [0.001, 0.002, Number.POSITIVE_INFINITY]);
    assert.deepEqual(h.cumulative, [2, 8, 10]);
    assert.equal(h.count, 10);
    assert.ok(Math.abs(h.sum - 0.023) < 1e-12);
    assert.equal(histogramQuantile(h, 0.1), 0.0005, 'rank 1 of 2 in the first bucket, interpolated from 0');
    assert.ok(Math.abs(histogramQuantile(h, 0.5) - 0.0015) < 1e-12, 'rank 5: half way through (0.001, 0.002]');
    assert.equal(histogramQuantile(h, 0.99), 0.002, 'a quantile in +Inf answers the highest finite bound');
    const earlier = { bounds: h.bounds, cumulative: [2, 4, 4], sum: 0.01, count: 4 };
    const d = histogramDelta(h, earlier);
    assert.deepEqual(d.cumulative, [0, 4, 6]);
    assert.equal(d.count, 6);
    assert.ok(Number.isNaN(histogramQuantile({ bounds: [1, Infinity], cumulative: [0, 0], sum: 0, count: 0 }, 0.5)));
  });
});
