/** The report of a finished run: the measured window's summary, the objectives, and the histograms. */
import { counterDelta, type Collector } from './collector.ts';
import type { RunOptions } from './options.ts';
import type { BotReport, RunSummary, SeriesPoint } from './report.ts';
import type { SteadyStart } from './sampler.ts';
import { serverWindow, type ServerPoint, type ServerScraper } from './scrape.ts';
import { evaluateSlos } from './slo.ts';
import { reportSummary, roundForReport } from './stats.ts';

/** What the run knew when it ended. */
export interface FinishedRun {
  options: RunOptions;
  collector: Collector;
  startedAt: Date;
  /** The measured window's start. */
  steady: SteadyStart;
  /** Seconds into the run when it ended. */
  endS: number;
  /** Client-seconds integrated over the whole run. */
  clientSeconds: number;
  /** Bots this part was asked for at its peak. */
  partBots: number;
  connectedAtEnd: number;
  /** Bots that decoded the state (checkers and each room's first). */
  decoders: number;
  rooms: number;
  roomIds: string[];
  skippedTicks: number;
  /** The bot process's CPU over the window, and the window's wall time in seconds. */
  cpu: NodeJS.CpuUsage;
  wallS: number;
  loopLag: { p99Ns: number; maxNs: number };
  scraper: ServerScraper | undefined;
  endPoint: ServerPoint | undefined;
  series: SeriesPoint[];
}

/** Build the report of `run`; it passes when some bot connected and every objective holds. */
export function buildReport(run: FinishedRun): BotReport {
  const c = run.collector;
  const s = run.steady;
  const d = counterDelta(c.counters(), s.counters);
  const windowClientS = run.clientSeconds - s.clientSeconds;
  const per = (v: number): number | null => (windowClientS > 0 ? roundForReport(v / windowClientS) : null);
  const summary: RunSummary = {
    window: {
      fromS: roundForReport(s.atS) ?? 0,
      toS: roundForReport(run.endS) ?? 0,
      seconds: roundForReport(run.endS - s.atS) ?? 0,
      clientSeconds: roundForReport(windowClientS) ?? 0,
    },
    bots: {
      target: run.partBots,
      connectedMax: c.connectedMax,
      connectedAtEnd: run.connectedAtEnd,
      connectedRatio: run.partBots > 0 ? (roundForReport(c.connectedMax / run.partBots) ?? 0) : 0,
      decoders: run.decoders,
      rooms: run.rooms,
      roomIds: run.roomIds,
      joinAttempts: c.joinAttempts,
      joinErrors: c.joinErrors,
      errors: c.errors,
      drops: c.drops,
      reconnects: c.reconnects,
      skippedTicks: run.skippedTicks,
    },
    rttMs: reportSummary(c.rttMs.total.summary()),
    updateIntervalMs: reportSummary(c.updateIntervalMs.total.summary()),
    inputToUpdateMs: {
      ...reportSummary(c.inputToUpdateMs.total.summary()),
      probesSent: c.probesSent,
      probesLost: c.probesLost,
    },
    perClient: {
      updatesPerS: per(d.patches),
      inputsPerS: per(d.inputsSent),
      bytesInPerS: per(d.bytesIn),
      bytesOutPerS: per(d.bytesOut),
      wireBytesInPerS: per(d.wireBytesIn),
      wireBytesOutPerS: per(d.wireBytesOut),
    },
    totals: {
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      patches: c.patches,
      inputsSent: c.inputsSent,
      messagesIn: c.messagesIn,
      chatsSent: c.chatsSent,
      chatsRefused: c.chatsRefused,
    },
    stateChecks: { checks: c.stateChecks, violations: c.stateViolations, samples: c.violationSamples },
    server:
      run.scraper && run.endPoint ? { ...serverWindow(s.point, run.endPoint), scrapeErrors: run.scraper.errors } : null,
    botProcess: {
      cpuPercent: run.wallS > 0 ? roundForReport(((run.cpu.user + run.cpu.system) / 1e6 / run.wallS) * 100) : null,
      eventLoopLagP99Ms: roundForReport(run.loopLag.p99Ns / 1e6),
      eventLoopLagMaxMs: roundForReport(run.loopLag.maxNs / 1e6),
    },
    errorSamples: [...c.errorSamples, ...(run.scraper?.lastError ? [`scrape: ${run.scraper.lastError}`] : [])],
  };
  const slo = evaluateSlos(run.options.slos, summary);
  const { metricsToken: _token, ...shownOptions } = run.options;
  return {
    tool: 'arena-bots',
    version: 1,
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: shownOptions,
    summary,
    series: run.series,
    slo,
    passed: c.connectedMax > 0 && slo.every((o) => o.pass),
    histograms: {
      rttMs: c.rttMs.total.toJSON(),
      updateIntervalMs: c.updateIntervalMs.total.toJSON(),
      inputToUpdateMs: c.inputToUpdateMs.total.toJSON(),
    },
  };
}
