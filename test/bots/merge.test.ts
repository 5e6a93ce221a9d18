/**
 * Merging the reports of the parts of one run (worker threads or shards):
 * counts add up, client percentiles come out exactly as if one process had
 * measured every sample, rates are weighted by client-seconds, series align
 * on wall-clock time, and anything that is not a mergeable report is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertMergeable, mergeReports, mergeSeries, MergeError } from '../../bots/merge.ts';
import type { BotReport, SeriesPoint } from '../../bots/report.ts';
import { LogHistogram, reportSummary } from '../../bots/stats.ts';
import { parseOptions } from '../../bots/options.ts';

function histogramOf(values: number[]): LogHistogram {
  const h = new LogHistogram();
  for (const v of values) h.record(v);
  return h;
}

function point(t: number, connected: number, rttP50: number, rttP99: number): SeriesPoint {
  return {
    t,
    target: connected,
    connected,
    rttP50,
    rttP99,
    updateIntervalP50: 33,
    updateIntervalP99: 40,
    latencyP50: null,
    latencyP99: null,
    updatesPerClientPerS: 30,
    bytesInPerClientPerS: 4000,
    bytesOutPerClientPerS: 100,
    bytesInPerS: connected * 4000,
    bytesOutPerS: connected * 100,
    errors: 0,
    reconnects: 0,
    tickP50: null,
    tickP99: null,
    serverCpuPercent: null,
    serverHeapBytes: null,
    botLoopLagP99: 2,
  };
}

/** A report of one part: `bots` bots, RTT samples `rtts`, started at `startedAt`. */
function partReport(
  bots: number,
  rtts: number[],
  startedAt: string,
  opts: { server?: boolean; rooms: string[]; cpu: number; bytesPerClient: number; clientSeconds: number },
): BotReport {
  const rtt = histogramOf(rtts);
  const upd = histogramOf([33, 33, 34]);
  const lat = histogramOf([]);
  const options = parseOptions(
    ['--url', 'http://h:1', '--bots', String(bots), '--slo', 'rtt.p99=1000,errors=0'],
    false,
  );
  return {
    tool: 'arena-bots',
    version: 1,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 10_000).toISOString(),
    options,
    summary: {
      window: { fromS: 2, toS: 10, seconds: 8, clientSeconds: opts.clientSeconds },
      bots: {
        target: bots,
        connectedMax: bots,
        connectedAtEnd: bots,
        connectedRatio: 1,
        decoders: 1,
        rooms: opts.rooms.length,
        roomIds: opts.rooms,
        joinAttempts: bots,
        joinErrors: 0,
        errors: 1,
        drops: 0,
        reconnects: 2,
        skippedTicks: 0,
      },
      rttMs: reportSummary(rtt.summary()),
      updateIntervalMs: reportSummary(upd.summary()),
      inputToUpdateMs: { ...reportSummary(lat.summary()), probesSent: 3, probesLost: 1 },
      perClient: {
        updatesPerS: 30,
        inputsPerS: 30,
        bytesInPerS: opts.bytesPerClient,
        bytesOutPerS: 100,
        wireBytesInPerS: opts.bytesPerClient + 10,
        wireBytesOutPerS: 200,
      },
      totals: {
        bytesIn: 1000,
        bytesOut: 100,
        patches: 50,
        inputsSent: 60,
        messagesIn: 5,
        chatsSent: 1,
        chatsRefused: 0,
      },
      stateChecks: { checks: 10, violations: 0, samples: [] },
      server: opts.server
        ? {
            tickMs: { p50: 0.1, p99: 0.5, mean: 0.2, count: 300 },
            patchMs: { p50: 0.1, p99: 0.3, mean: 0.1, count: 300 },
            inputDepth: { p50: 1, p99: 2, mean: 1, count: 10 },
            cpuPercent: 20,
            heapUsedBytes: 1e7,
            eventLoopLagP99Ms: 5,
            ccu: 30,
            patchFrameBytes: 150,
            scrapeErrors: 0,
          }
        : null,
      botProcess: { cpuPercent: opts.cpu, eventLoopLagP99Ms: 3, eventLoopLagMaxMs: 9 },
      errorSamples: ['boom'],
    },
    series: [point(0, Math.floor(bots / 2), 1, 5), point(1, bots, 2, 8), point(2, bots, 3, 9)],
    slo: [],
    passed: true,
    histograms: { rttMs: rtt.toJSON(), updateIntervalMs: upd.toJSON(), inputToUpdateMs: lat.toJSON() },
  };
}

describe('LogHistogram JSON', () => {
  it('round-trips and refuses bad buckets', () => {
    const h = histogramOf([0.5, 1, 1, 2, 400, 12_000]);
    const back = LogHistogram.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    assert.deepEqual(back.summary(), h.summary());
    assert.throws(
      () => LogHistogram.fromJSON({ buckets: [[-1, 1]], count: 1, sum: 1, max: 1 }),
      /bad histogram bucket/u,
    );
  });
});

describe('mergeReports', () => {
  const rttA = Array.from({ length: 200 }, (_, i) => 1 + (i % 10));
  const rttB = Array.from({ length: 100 }, (_, i) => 50 + i);
  const a = partReport(20, rttA, '2030-01-01T00:00:00.000Z', {
    server: true,
    rooms: ['r1', 'r2'],
    cpu: 40,
    bytesPerClient: 4000,
    clientSeconds: 160,
  });
  const b = partReport(10, rttB, '2030-01-01T00:00:01.000Z', {
    rooms: ['r2', 'r3'],
    cpu: 30,
    bytesPerClient: 1000,
    clientSeconds: 80,
  });
  const merged = mergeReports([a, b], { names: ['a.json', 'b.json'] });

  it('adds counts and counts each room once', () => {
    const s = merged.summary;
    assert.equal(s.bots.target, 30);
    assert.equal(merged.options.bots, 30);
    assert.equal(s.bots.connectedMax, 30);
    assert.equal(s.bots.errors, 2);
    assert.equal(s.bots.reconnects, 4);
    assert.equal(s.bots.rooms, 3);
    assert.equal(s.totals.patches, 100);
    assert.equal(s.inputToUpdateMs.probesSent, 6);
    assert.equal(s.window.clientSeconds, 240);
    assert.equal(s.botProcess.cpuPercent, 70, 'separate processes: CPU adds up');
    assert.deepEqual(
      merged.parts?.map((p) => [p.name, p.connectedMax, p.cpuPercent]),
      [
        ['a.json', 20, 40],
        ['b.json', 10, 30],
      ],
    );
  });

  it('reads percentiles from the merged histograms, exactly as one process would have', () => {
    const all = histogramOf([...rttA, ...rttB]).summary();
    assert.deepEqual(merged.summary.rttMs, reportSummary(all));
    assert.ok(merged.summary.rttMs.p99! > 140, 'the slow part dominates the p99');
    assert.ok(merged.summary.rttMs.p50! < 11, 'the big fast part dominates the median');
  });

  it('weights per-client rates by client-seconds and keeps the server side of the part that scraped', () => {
    assert.equal(merged.summary.perClient.bytesInPerS, 3000);
    assert.equal(merged.summary.server?.tickMs.p99, 0.5);
    assert.equal(mergeReports([b, a]).summary.server?.cpuPercent, 20, 'whichever part scraped');
  });

  it('aligns series on wall-clock time', () => {
    const series = mergeSeries([a, b]);
    assert.deepEqual(
      series.map((p) => p.t),
      [0, 1, 2, 3],
    );
    assert.deepEqual(
      series.map((p) => p.connected),
      [10, 20 + 5, 20 + 10, 10],
    );
    assert.equal(series[1]!.rttP99, 8);
    assert.equal(series[2]!.rttP99, 9, 'p99 of a point: the worst part');
    assert.equal(series[2]!.rttP50, 2.667, 'p50 of a point: connected-weighted mean ((3 × 20 + 2 × 10) / 30)');
  });

  it('takes one point per part per second, even when a part sampled twice in it', () => {
    const late = {
      ...a,
      series: [
        point(0, 5, 1, 1),
        point(0.9, 20, 1, 1),
        point(1.2, 20, 1, 1),
        point(2.1, 20, 1, 1),
        point(2.4, 20, 1, 1),
      ],
    };
    const series = mergeSeries([late, b]);
    assert.deepEqual(
      series.map((p) => p.connected),
      [5, 20 + 5, 20 + 10, 10],
      'never more than the parts hold',
    );
    assert.equal(mergeReports([late, b]).summary.bots.connectedMax, 30);
  });

  it('re-evaluates the objectives on the merged figures', () => {
    assert.deepEqual(
      merged.slo.map((o) => [o.key, o.pass]),
      [
        ['rtt.p99', true],
        ['errors', false],
      ],
    );
    assert.equal(merged.passed, false);
    assert.equal(mergeReports([a]).summary.bots.errors, 1);
  });

  it('takes a measured CPU for worker threads of one process', () => {
    assert.equal(mergeReports([a, b], { cpuPercent: 55 }).summary.botProcess.cpuPercent, 55);
  });

  it('refuses what it cannot merge', () => {
    assert.throws(
      () => assertMergeable({ tool: 'other' }, 'x.json'),
      (e: unknown) => e instanceof MergeError && /x\.json is not an arena-bots report/u.test(e.message),
    );
    const { histograms: _h, ...old } = a;
    assert.throws(() => mergeReports([old as BotReport]), /no histograms/u);
    assert.throws(() => mergeReports([]), /nothing to merge/u);
  });
});
