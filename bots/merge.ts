/**
 * One report from the reports of several parts of a run: worker threads of
 * one process, or shards on several machines (`--shard i/n`, then
 * `npm run bots:merge`).
 *
 * Counts add up. Client-side percentiles (RTT, update interval,
 * input-to-update) are exact: each part's report carries its histograms and
 * they are merged before the percentiles are read. Per-client rates are
 * weighted by each part's client-seconds. The server side is the same server
 * for every part, so it is taken from the first part that scraped it. The
 * time series are aligned on wall-clock time; there a point's p50 is the
 * connected-weighted mean of the parts' p50s and its p99 the worst part's
 * (an upper bound), since per-second histograms are not kept.
 */
import { LogHistogram, reportSummary, roundForReport } from './stats.ts';
import type { BotReport, PartSummary, RunSummary, SeriesPoint } from './report.ts';
import { evaluateSlos } from './slo.ts';

export class MergeError extends Error {
  override name = 'MergeError';
}

/** A report that is not an arena-bots report, or one without histograms, cannot be merged. */
export function assertMergeable(value: unknown, name: string): asserts value is BotReport {
  const r = value as Partial<BotReport> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.tool !== 'arena-bots' ||
    r.version !== 1 ||
    !r.summary ||
    !Array.isArray(r.series)
  ) {
    throw new MergeError(`${name} is not an arena-bots report`);
  }
  if (!r.histograms) throw new MergeError(`${name} has no histograms (written by an older version): re-run it`);
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const maxOf = (values: Array<number | null>): number | null => {
  const real = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return real.length > 0 ? Math.max(...real) : null;
};

function mergedHistogram(
  reports: readonly BotReport[],
  key: 'rttMs' | 'updateIntervalMs' | 'inputToUpdateMs',
): LogHistogram {
  const h = new LogHistogram();
  for (const r of reports) h.merge(LogHistogram.fromJSON(r.histograms![key]));
  return h;
}

/** Weighted mean of per-client rates, weights = client-seconds of each part. */
function weighted(reports: readonly BotReport[], read: (s: RunSummary) => number | null): number | null {
  let total = 0;
  let weight = 0;
  for (const r of reports) {
    const v = read(r.summary);
    const w = r.summary.window.clientSeconds ?? 0;
    if (v === null || w <= 0) continue;
    total += v * w;
    weight += w;
  }
  return weight > 0 ? roundForReport(total / weight) : null;
}

/** The parts' series on one clock (seconds since the earliest part started), point by point. */
export function mergeSeries(reports: readonly BotReport[]): SeriesPoint[] {
  const t0 = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const byT = new Map<number, SeriesPoint[]>();
  for (const r of reports) {
    const offsetS = (Date.parse(r.startedAt) - t0) / 1000;
    // One point per part per second: a late sample and the next one (or the final one) can round to the same second.
    const own = new Map<number, SeriesPoint>();
    for (const p of r.series) own.set(Math.round(p.t + offsetS), p);
    for (const [t, p] of own) {
      const list = byT.get(t) ?? [];
      list.push(p);
      byT.set(t, list);
    }
  }
  return [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, points]) => mergePoints(points, t));
}

/** Several parts' points of the same second as one point. */
export function mergePoints(points: readonly SeriesPoint[], t: number): SeriesPoint {
  const connected = sum(points.map((p) => p.connected));
  const meanBy = (read: (p: SeriesPoint) => number | null): number | null => {
    let total = 0;
    let weight = 0;
    for (const p of points) {
      const v = read(p);
      if (v === null) continue;
      const w = Math.max(p.connected, 1e-9);
      total += v * w;
      weight += w;
    }
    return weight > 0 ? roundForReport(total / weight) : null;
  };
  const server = points.find((p) => p.tickP99 !== null || p.serverCpuPercent !== null);
  return {
    t,
    target: sum(points.map((p) => p.target)),
    connected,
    rttP50: meanBy((p) => p.rttP50),
    rttP99: maxOf(points.map((p) => p.rttP99)),
    updateIntervalP50: meanBy((p) => p.updateIntervalP50),
    updateIntervalP99: maxOf(points.map((p) => p.updateIntervalP99)),
    latencyP50: meanBy((p) => p.latencyP50),
    latencyP99: maxOf(points.map((p) => p.latencyP99)),
    updatesPerClientPerS: meanBy((p) => p.updatesPerClientPerS),
    bytesInPerClientPerS: meanBy((p) => p.bytesInPerClientPerS),
    bytesOutPerClientPerS: meanBy((p) => p.bytesOutPerClientPerS),
    bytesInPerS: sum(points.map((p) => p.bytesInPerS)),
    bytesOutPerS: sum(points.map((p) => p.bytesOutPerS)),
    errors: sum(points.map((p) => p.errors)),
    reconnects: sum(points.map((p) => p.reconnects)),
    tickP50: server?.tickP50 ?? null,
    tickP99: server?.tickP99 ?? null,
    serverCpuPercent: server?.serverCpuPercent ?? null,
    serverHeapBytes: server?.serverHeapBytes ?? null,
    botLoopLagP99: maxOf(points.map((p) => p.botLoopLagP99)),
  };
}

export interface MergeOptions {
  /** A name per report for the parts table (default `part <i>`). */
  names?: string[];
  /**
   * CPU of the load generator as a whole, % of one core, when the caller
   * measured it (worker threads share one process). Default: the parts' sum.
   */
  cpuPercent?: number | null;
}

/** Merge the reports of the parts of one run into one report. */
export function mergeReports(reports: readonly BotReport[], options: MergeOptions = {}): BotReport {
  if (reports.length === 0) throw new MergeError('nothing to merge');
  reports.forEach((r, i) => {
    assertMergeable(r, options.names?.[i] ?? `report ${i}`);
  });
  const first = reports[0]!;
  const s = reports.map((r) => r.summary);
  const series = mergeSeries(reports);
  const rtt = mergedHistogram(reports, 'rttMs');
  const upd = mergedHistogram(reports, 'updateIntervalMs');
  const lat = mergedHistogram(reports, 'inputToUpdateMs');
  const target = sum(s.map((x) => x.bots.target));
  // Peaks of different parts may fall at different moments: the merged series knows the real joint peak.
  const connectedMax = Math.max(
    series.reduce((m, p) => Math.max(m, p.connected), 0),
    ...s.map((x) => x.bots.connectedMax),
  );
  const roomIds = [...new Set(s.flatMap((x) => x.bots.roomIds ?? []))];
  const cpuParts = s.map((x) => x.botProcess.cpuPercent);
  const summary: RunSummary = {
    window: {
      fromS: Math.min(...s.map((x) => x.window.fromS)),
      toS: Math.max(...s.map((x) => x.window.toS)),
      seconds: Math.max(...s.map((x) => x.window.seconds)),
      clientSeconds: roundForReport(sum(s.map((x) => x.window.clientSeconds ?? 0))) ?? 0,
    },
    bots: {
      target,
      connectedMax,
      connectedAtEnd: sum(s.map((x) => x.bots.connectedAtEnd)),
      connectedRatio: target > 0 ? (roundForReport(connectedMax / target) ?? 0) : 0,
      decoders: sum(s.map((x) => x.bots.decoders)),
      rooms: roomIds.length > 0 ? roomIds.length : Math.max(...s.map((x) => x.bots.rooms)),
      roomIds,
      joinAttempts: sum(s.map((x) => x.bots.joinAttempts)),
      joinErrors: sum(s.map((x) => x.bots.joinErrors)),
      errors: sum(s.map((x) => x.bots.errors)),
      drops: sum(s.map((x) => x.bots.drops)),
      reconnects: sum(s.map((x) => x.bots.reconnects)),
      skippedTicks: sum(s.map((x) => x.bots.skippedTicks)),
    },
    rttMs: reportSummary(rtt.summary()),
    updateIntervalMs: reportSummary(upd.summary()),
    inputToUpdateMs: {
      ...reportSummary(lat.summary()),
      probesSent: sum(s.map((x) => x.inputToUpdateMs.probesSent)),
      probesLost: sum(s.map((x) => x.inputToUpdateMs.probesLost)),
    },
    perClient: {
      updatesPerS: weighted(reports, (x) => x.perClient.updatesPerS),
      inputsPerS: weighted(reports, (x) => x.perClient.inputsPerS),
      bytesInPerS: weighted(reports, (x) => x.perClient.bytesInPerS),
      bytesOutPerS: weighted(reports, (x) => x.perClient.bytesOutPerS),
      wireBytesInPerS: weighted(reports, (x) => x.perClient.wireBytesInPerS),
      wireBytesOutPerS: weighted(reports, (x) => x.perClient.wireBytesOutPerS),
    },
    totals: {
      bytesIn: sum(s.map((x) => x.totals.bytesIn)),
      bytesOut: sum(s.map((x) => x.totals.bytesOut)),
      patches: sum(s.map((x) => x.totals.patches)),
      inputsSent: sum(s.map((x) => x.totals.inputsSent)),
      messagesIn: sum(s.map((x) => x.totals.messagesIn)),
      chatsSent: sum(s.map((x) => x.totals.chatsSent)),
      chatsRefused: sum(s.map((x) => x.totals.chatsRefused)),
    },
    stateChecks: {
      checks: sum(s.map((x) => x.stateChecks.checks)),
      violations: sum(s.map((x) => x.stateChecks.violations)),
      samples: s.flatMap((x) => x.stateChecks.samples).slice(0, 20),
    },
    server: s.find((x) => x.server !== null)?.server ?? null,
    botProcess: {
      cpuPercent:
        options.cpuPercent !== undefined
          ? options.cpuPercent
          : cpuParts.every((v) => v !== null)
            ? roundForReport(sum(cpuParts as number[]))
            : null,
      eventLoopLagP99Ms: maxOf(s.map((x) => x.botProcess.eventLoopLagP99Ms)),
      eventLoopLagMaxMs: maxOf(s.map((x) => x.botProcess.eventLoopLagMaxMs)),
    },
    errorSamples: s.flatMap((x) => x.errorSamples).slice(0, 20),
  };
  const slos = first.options.slos;
  const slo = evaluateSlos(slos, summary);
  const parts: PartSummary[] = reports.flatMap(
    (r, i) =>
      r.parts ?? [
        {
          name: options.names?.[i] ?? `part ${i}`,
          target: r.summary.bots.target,
          connectedMax: r.summary.bots.connectedMax,
          errors: r.summary.bots.errors + r.summary.bots.joinErrors,
          cpuPercent: r.summary.botProcess.cpuPercent,
        },
      ],
  );
  return {
    tool: 'arena-bots',
    version: 1,
    startedAt: new Date(Math.min(...reports.map((r) => Date.parse(r.startedAt)))).toISOString(),
    finishedAt: new Date(Math.max(...reports.map((r) => Date.parse(r.finishedAt)))).toISOString(),
    options: {
      ...first.options,
      bots: target,
      part: { index: 0, count: 1 },
      shard: { index: 0, count: 1 },
      seed: first.options.seed,
    },
    summary,
    series,
    slo,
    passed: connectedMax > 0 && slo.every((o) => o.pass),
    histograms: { rttMs: rtt.toJSON(), updateIntervalMs: upd.toJSON(), inputToUpdateMs: lat.toJSON() },
    parts,
  };
}
