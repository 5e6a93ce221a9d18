/**
 * What a run measures while it runs: once a second a point of the time
 * series (live line), the server scraped on its own interval, and the
 * measured ("steady") window, which starts when the ramp ends and resets
 * the whole-run histograms so the ramp does not count.
 */
import { performance, type IntervalHistogram } from 'node:perf_hooks';
import { counterDelta, type Collector, type CounterSnapshot } from './collector.ts';
import type { SeriesPoint } from './report.ts';
import { serverWindow, type ServerPoint, type ServerScraper, type ServerWindow } from './scrape.ts';
import { roundForReport } from './stats.ts';

const nullable = (v: number): number | null => roundForReport(v);

/** Where the measured window began. */
export interface SteadyStart {
  /** Seconds into the run. */
  atS: number;
  counters: CounterSnapshot;
  /** Connected bots integrated over time so far (client-seconds). */
  clientSeconds: number;
  cpu: NodeJS.CpuUsage;
  /** performance.now() at the start. */
  atMs: number;
  /** The last server scrape before the window. */
  point: ServerPoint | undefined;
}

export class RunSampler {
  readonly series: SeriesPoint[] = [];
  /** Connected bots integrated over time, in client-seconds. */
  clientSeconds = 0;
  steady: SteadyStart | undefined;
  private lastSampleAt = performance.now();
  private lastCounters: CounterSnapshot;
  private lastConnected = 0;
  private latestServer: ServerWindow | undefined;
  private lastPoint: ServerPoint | undefined;
  private scraping = false;

  constructor(
    private readonly c: Collector,
    private readonly loopLag: IntervalHistogram,
    private readonly scraper: ServerScraper | undefined,
    /** Seconds since the run started. */
    private readonly elapsedS: () => number,
    private readonly onSample?: (point: SeriesPoint) => void,
  ) {
    this.lastCounters = c.counters();
  }

  /** Take the first server scrape (the baseline of the first window). */
  async start(): Promise<void> {
    this.lastPoint = this.scraper ? await this.scraper.scrape(performance.now()) : undefined;
  }

  /** Begin the measured window now: whole-run histograms restart from here. */
  startSteady(): void {
    const c = this.c;
    c.rttMs.total.reset();
    c.updateIntervalMs.total.reset();
    c.inputToUpdateMs.total.reset();
    this.loopLag.reset();
    this.steady = {
      atS: this.elapsedS(),
      counters: c.counters(),
      clientSeconds: this.clientSeconds,
      cpu: process.cpuUsage(),
      atMs: performance.now(),
      point: this.lastPoint,
    };
  }

  /** One point of the time series, over the time since the last one. */
  sample(): SeriesPoint {
    const c = this.c;
    const now = performance.now();
    const dt = Math.max((now - this.lastSampleAt) / 1000, 1e-6);
    const counters = c.counters();
    const d = counterDelta(counters, this.lastCounters);
    const clientS = ((this.lastConnected + c.connected) / 2) * dt;
    this.clientSeconds += clientS;
    const perClient = (v: number): number | null => (clientS > 0 ? roundForReport(v / clientS) : null);
    const rtt = c.rttMs.window.summary();
    const upd = c.updateIntervalMs.window.summary();
    const lat = c.inputToUpdateMs.window.summary();
    const server = this.latestServer;
    const point: SeriesPoint = {
      t: roundForReport(this.elapsedS()) ?? 0,
      target: c.target,
      connected: c.connected,
      rttP50: nullable(rtt.p50),
      rttP99: nullable(rtt.p99),
      updateIntervalP50: nullable(upd.p50),
      updateIntervalP99: nullable(upd.p99),
      latencyP50: nullable(lat.p50),
      latencyP99: nullable(lat.p99),
      updatesPerClientPerS: perClient(d.patches),
      bytesInPerClientPerS: perClient(d.bytesIn),
      bytesOutPerClientPerS: perClient(d.bytesOut),
      bytesInPerS: Math.round(d.bytesIn / dt),
      bytesOutPerS: Math.round(d.bytesOut / dt),
      errors: c.errors + c.joinErrors,
      reconnects: c.reconnects,
      tickP50: server?.tickMs.p50 ?? null,
      tickP99: server?.tickMs.p99 ?? null,
      serverCpuPercent: server?.cpuPercent ?? null,
      serverHeapBytes: server?.heapUsedBytes ?? null,
      botLoopLagP99: roundForReport(this.loopLag.percentile(99) / 1e6),
    };
    c.rttMs.window.reset();
    c.updateIntervalMs.window.reset();
    c.inputToUpdateMs.window.reset();
    this.lastSampleAt = now;
    this.lastCounters = counters;
    this.lastConnected = c.connected;
    this.series.push(point);
    this.onSample?.(point);
    return point;
  }

  /** Scrape the server now (skipped while the previous scrape is still out). */
  async scrapeNow(): Promise<void> {
    if (!this.scraper || this.scraping) return;
    this.scraping = true;
    const p = await this.scraper.scrape(performance.now());
    this.scraping = false;
    if (!p) return;
    if (this.lastPoint) this.latestServer = serverWindow(this.lastPoint, p);
    this.lastPoint = p;
  }
}
