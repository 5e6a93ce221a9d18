/**
 * Reads the server's side of a run from its `GET /metrics`: tick and patch
 * durations, CPU, heap, event-loop delay and CCU. Several URLs (one per
 * instance of a cluster; a proxy in front would answer from any one of them)
 * are added together. A URL may also be the cluster view (`/metrics/cluster`,
 * every instance's key figures through the load balancer): then CCU and heap
 * are summed over its instances, the tick p99 and event-loop lag are the
 * worst instance's over its last sampling interval, and CPU, patch sizes and
 * the tick p50 are not known. A failed scrape is counted, never fatal.
 */
import {
  histogramDelta,
  histogramOf,
  histogramQuantile,
  parsePrometheusText,
  sumOf,
  type HistogramData,
  type Scrape,
} from '../common/prometheus.ts';
import { roundForReport } from './stats.ts';

/** One scrape of every instance, folded together. */
export interface ServerPoint {
  /** `performance.now()`-style timestamp of the scrape, ms. */
  atMs: number;
  tick: HistogramData | undefined;
  patch: HistogramData | undefined;
  /** Inputs each client had queued as a step started (`arena_input_buffer_depth`). */
  inputDepth: HistogramData | undefined;
  cpuSeconds: number;
  heapUsedBytes: number;
  /** Worst instance's event-loop delay p99 since its previous scrape, seconds. */
  eventLoopLagP99S: number;
  ccu: number;
  patchBytes: number;
  patchFrames: number;
  /** From a cluster-view scrape: the worst instance's tick p99 over its last interval, seconds. */
  clusterTickP99S?: number;
  /** False when some scrape had no process CPU counter (a cluster-view scrape). */
  cpuKnown: boolean;
}

/** What the server did between two scrapes. Times in ms; null where not measured. */
export interface ServerWindow {
  tickMs: { p50: number | null; p99: number | null; mean: number | null; count: number };
  patchMs: { p50: number | null; p99: number | null; mean: number | null; count: number };
  /** Inputs a client had queued on the server as a step started (one sample per client per step); 1 is ideal. */
  inputDepth: { p50: number | null; p99: number | null; mean: number | null; count: number };
  /** CPU used by the server process(es), % of one core. */
  cpuPercent: number | null;
  heapUsedBytes: number | null;
  eventLoopLagP99Ms: number | null;
  ccu: number | null;
  /** Mean size of one state patch frame sent to one client, bytes. */
  patchFrameBytes: number | null;
}

function addHistograms(a: HistogramData | undefined, b: HistogramData | undefined): HistogramData | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    bounds: a.bounds,
    cumulative: a.cumulative.map((c, i) => c + (b.cumulative[i] ?? 0)),
    sum: a.sum + b.sum,
    count: a.count + b.count,
  };
}

function pointOf(scrapes: readonly Scrape[], atMs: number): ServerPoint {
  const point: ServerPoint = {
    atMs,
    tick: undefined,
    patch: undefined,
    inputDepth: undefined,
    cpuSeconds: 0,
    heapUsedBytes: 0,
    eventLoopLagP99S: 0,
    ccu: 0,
    patchBytes: 0,
    patchFrames: 0,
    cpuKnown: true,
  };
  const worst = (s: Scrape, name: string): number =>
    Math.max(0, ...(s.get(name)?.samples ?? []).map((x) => x.value).filter(Number.isFinite));
  for (const s of scrapes) {
    if (s.has('arena_cluster_ccu')) {
      point.cpuKnown = false;
      point.ccu += sumOf(s, 'arena_cluster_ccu');
      const live = sumOf(s, 'arena_cluster_heap_live_bytes');
      point.heapUsedBytes += live > 0 ? live : sumOf(s, 'arena_cluster_heap_used_bytes');
      point.eventLoopLagP99S = Math.max(point.eventLoopLagP99S, worst(s, 'arena_cluster_event_loop_lag_p99_seconds'));
      point.clusterTickP99S = Math.max(point.clusterTickP99S ?? 0, worst(s, 'arena_cluster_tick_p99_seconds'));
      continue;
    }
    if (!s.has('process_cpu_seconds_total')) point.cpuKnown = false;
    point.tick = addHistograms(point.tick, histogramOf(s, 'arena_tick_duration_seconds'));
    point.patch = addHistograms(point.patch, histogramOf(s, 'arena_patch_duration_seconds'));
    point.inputDepth = addHistograms(point.inputDepth, histogramOf(s, 'arena_input_buffer_depth'));
    point.cpuSeconds += sumOf(s, 'process_cpu_seconds_total');
    // Live heap (after the last full GC) when the server reports it: the raw figure swings with uncollected garbage.
    const live = sumOf(s, 'arena_heap_live_bytes');
    point.heapUsedBytes += live > 0 ? live : sumOf(s, 'nodejs_heap_size_used_bytes');
    const lag = sumOf(s, 'nodejs_eventloop_lag_p99_seconds');
    if (Number.isFinite(lag)) point.eventLoopLagP99S = Math.max(point.eventLoopLagP99S, lag);
    point.ccu += sumOf(s, 'arena_ccu');
    point.patchBytes += sumOf(s, 'arena_ws_sent_bytes_total', { kind: 'patch' });
    point.patchFrames += sumOf(s, 'arena_ws_frames_sent_total', { kind: 'patch' });
  }
  return point;
}

const ms = (seconds: number): number | null => roundForReport(seconds * 1000);

function durations(
  later: HistogramData | undefined,
  earlier: HistogramData | undefined,
  scale: (v: number) => number | null = ms,
): ServerWindow['tickMs'] {
  if (!later) return { p50: null, p99: null, mean: null, count: 0 };
  const d = histogramDelta(later, earlier);
  return {
    p50: scale(histogramQuantile(d, 0.5)),
    p99: scale(histogramQuantile(d, 0.99)),
    mean: d.count > 0 ? scale(d.sum / d.count) : null,
    count: d.count,
  };
}

/** The server's work between scrapes `a` and `b` (b later). */
export function serverWindow(a: ServerPoint | undefined, b: ServerPoint): ServerWindow {
  const seconds = a ? (b.atMs - a.atMs) / 1000 : 0;
  const frames = b.patchFrames - (a?.patchFrames ?? 0);
  return {
    tickMs:
      b.tick || b.clusterTickP99S === undefined
        ? durations(b.tick, a?.tick)
        : { p50: null, p99: ms(b.clusterTickP99S), mean: null, count: 0 },
    patchMs: durations(b.patch, a?.patch),
    inputDepth: durations(b.inputDepth, a?.inputDepth, (v) => roundForReport(v)),
    cpuPercent:
      a && seconds > 0 && a.cpuKnown && b.cpuKnown
        ? roundForReport(((b.cpuSeconds - a.cpuSeconds) / seconds) * 100)
        : null,
    heapUsedBytes: b.heapUsedBytes > 0 ? b.heapUsedBytes : null,
    eventLoopLagP99Ms: ms(b.eventLoopLagP99S),
    ccu: b.ccu,
    patchFrameBytes: frames > 0 ? roundForReport((b.patchBytes - (a?.patchBytes ?? 0)) / frames) : null,
  };
}

export class ServerScraper {
  errors = 0;
  lastError: string | undefined;

  /**
   * @param urls `/metrics` URLs, one per instance
   * @param token bearer token when the server sets `METRICS_TOKEN`
   * @param timeoutMs give up on a scrape after this long
   */
  constructor(
    readonly urls: readonly string[],
    private readonly token?: string,
    private readonly timeoutMs = 2000,
  ) {}

  /** Scrape every URL now; undefined (and counted) when any fails. */
  async scrape(nowMs: number): Promise<ServerPoint | undefined> {
    try {
      const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
      const scrapes = await Promise.all(
        this.urls.map(async (url) => {
          const res = await fetch(url, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
          if (res.status !== 200) {
            await res.arrayBuffer();
            throw new Error(`${url} answered ${res.status}`);
          }
          return parsePrometheusText(await res.text());
        }),
      );
      return pointOf(scrapes, nowMs);
    } catch (error) {
      this.errors += 1;
      this.lastError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }
}
