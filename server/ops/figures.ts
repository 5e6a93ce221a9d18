/**
 * An instance's key figures, sampled every few seconds for the cluster view:
 * what an operator looks at first when a cluster misbehaves. Values come from
 * the metrics registry (read only) plus an event-loop delay monitor of its
 * own; quantiles cover the last sampling interval, not the process lifetime.
 */
import { hostname } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { matchMaker } from '@colyseus/core';
import { Gauge } from 'prom-client';
import type { ForwardCounters, ServerMetrics } from '../metrics.ts';
import { histogramQuantile } from '../../common/prometheus.ts';

/** One instance's figures, as published to Redis and rendered by the cluster view. */
export interface InstanceFigures {
  /** Colyseus processId. */
  instance: string;
  /** Host name of the machine or container. */
  host: string;
  ccu: number;
  rooms: number;
  /** p99 of one arena simulation step over the last interval, seconds (0 with no steps). */
  tickP99Seconds: number;
  /** Time one step may take at the configured tick rate (1 / TICK_RATE_HZ), seconds. */
  tickBudgetSeconds: number;
  /** p99 event-loop delay over the last interval, seconds. */
  eventLoopLagP99Seconds: number;
  /** Room connections this instance carries to another instance now. */
  forwardedActive: number;
  /** Share of the room connections passing through this instance that it carries elsewhere (0–1). */
  forwardedShare: number;
  /** Connections that could not be forwarded, since the process started. */
  forwardedFailedTotal: number;
  /** V8 heap in use now, bytes. */
  heapUsedBytes: number;
  /** V8 heap in use after the last major GC (the live data), bytes; 0 until one has run. */
  heapLiveBytes: number;
  uptimeSeconds: number;
  /** When the sample was taken, Unix ms (the sampler's clock). */
  sampledAtMs: number;
}

/** The figures' names, units and help text: rendering and tests iterate over this. */
export const FIGURE_METRICS = [
  {
    key: 'ccu',
    name: 'arena_cluster_ccu',
    type: 'gauge',
    help: 'Connected clients (and seats being taken) on the instance',
  },
  { key: 'rooms', name: 'arena_cluster_rooms', type: 'gauge', help: 'Rooms open on the instance' },
  {
    key: 'tickP99Seconds',
    name: 'arena_cluster_tick_p99_seconds',
    type: 'gauge',
    help: 'p99 of one arena simulation step over the last sampling interval',
  },
  {
    key: 'tickBudgetSeconds',
    name: 'arena_cluster_tick_budget_seconds',
    type: 'gauge',
    help: 'Time one step may take at the instance tick rate (1 / TICK_RATE_HZ)',
  },
  {
    key: 'eventLoopLagP99Seconds',
    name: 'arena_cluster_event_loop_lag_p99_seconds',
    type: 'gauge',
    help: 'p99 event-loop delay over the last sampling interval',
  },
  {
    key: 'forwardedActive',
    name: 'arena_cluster_forwarded_connections_active',
    type: 'gauge',
    help: 'Room connections the instance carries to another instance now',
  },
  {
    key: 'forwardedShare',
    name: 'arena_cluster_forwarded_share',
    type: 'gauge',
    help: 'Share (0-1) of room connections through the instance carried to another instance',
  },
  {
    key: 'forwardedFailedTotal',
    name: 'arena_cluster_forwarded_connections_failed_total',
    type: 'counter',
    help: 'Room connections the instance could not forward',
  },
  {
    key: 'heapUsedBytes',
    name: 'arena_cluster_heap_used_bytes',
    type: 'gauge',
    help: 'V8 heap in use on the instance',
  },
  {
    key: 'heapLiveBytes',
    name: 'arena_cluster_heap_live_bytes',
    type: 'gauge',
    help: 'V8 heap in use after the last major GC on the instance (0 until one has run)',
  },
  {
    key: 'uptimeSeconds',
    name: 'arena_cluster_uptime_seconds',
    type: 'gauge',
    help: 'Seconds since the instance process started',
  },
] as const satisfies ReadonlyArray<{
  key: keyof InstanceFigures;
  name: string;
  type: 'gauge' | 'counter';
  help: string;
}>;

/** The q-quantile of `[upperBound, cumulativeCount]` buckets (ascending, +Inf last); 0 when empty. */
function bucketsQuantile(q: number, buckets: ReadonlyArray<readonly [number, number]>): number {
  const bounds = buckets.map((b) => b[0]);
  const cumulative = buckets.map((b) => b[1]);
  const value = histogramQuantile({ bounds, cumulative, sum: 0, count: cumulative.at(-1) ?? 0 }, q);
  return Number.isNaN(value) ? 0 : value;
}

interface MetricValue {
  value: number;
  metricName?: string;
  labels: Record<string, string | number>;
}

async function valuesOf(metrics: ServerMetrics, name: string): Promise<MetricValue[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return [];
  return (await metric.get()).values as MetricValue[];
}

async function cumulativeBuckets(metrics: ServerMetrics, name: string): Promise<Array<[number, number]>> {
  return (await valuesOf(metrics, name))
    .filter((v) => v.metricName === `${name}_bucket`)
    .map((v): [number, number] => [v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), v.value])
    .sort((a, b) => a[0] - b[0]);
}

export interface FigureSamplerOptions {
  metrics: ServerMetrics;
  /** Simulation rate; sets the tick budget. */
  tickRateHz: number;
  /** Forwarding counters, absent outside cluster mode. */
  forwardStats?: () => ForwardCounters | undefined;
}

/** Takes {@link InstanceFigures} samples; each sample's quantiles cover the time since the previous one. */
export class FigureSampler {
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private previousTickBuckets: Array<[number, number]> = [];
  private readonly host = hostname();

  constructor(private readonly options: FigureSamplerOptions) {
    this.loopDelay.enable();
  }

  async sample(): Promise<InstanceFigures> {
    const { metrics, forwardStats, tickRateHz } = this.options;
    const buckets = await cumulativeBuckets(metrics, 'arena_tick_duration_seconds');
    // Counts since the previous sample: the p99 of the last interval, not of the process lifetime.
    const delta = buckets.map(([le, count], i): [number, number] => [
      le,
      count - (this.previousTickBuckets[i]?.[1] ?? 0),
    ]);
    this.previousTickBuckets = buckets;
    const lagP99Ns = this.loopDelay.count > 0 ? this.loopDelay.percentile(99) : 0;
    this.loopDelay.reset();
    const forward = forwardStats?.();
    const sockets = (await valuesOf(metrics, 'arena_ws_connections'))[0]?.value ?? 0;
    const forwardedActive = forward?.active ?? 0;
    const heapLive = (await valuesOf(metrics, 'arena_heap_live_bytes'))[0]?.value ?? 0;
    return {
      instance: matchMaker.processId,
      host: this.host,
      ccu: matchMaker.stats.local.ccu,
      rooms: matchMaker.stats.local.roomCount,
      tickP99Seconds: bucketsQuantile(0.99, delta),
      tickBudgetSeconds: 1 / tickRateHz,
      eventLoopLagP99Seconds: lagP99Ns / 1e9,
      forwardedActive,
      forwardedShare: forwardedActive + sockets > 0 ? forwardedActive / (forwardedActive + sockets) : 0,
      forwardedFailedTotal: forward?.failed ?? 0,
      heapUsedBytes: process.memoryUsage().heapUsed,
      heapLiveBytes: heapLive,
      uptimeSeconds: Math.round(process.uptime()),
      sampledAtMs: Date.now(),
    };
  }

  close(): void {
    this.loopDelay.disable();
  }
}

/**
 * Gauges the ops files need on the per-instance `/metrics` too, registered
 * on the app's registry: `arena_tick_budget_seconds` (1 / TICK_RATE_HZ), the
 * line the tick-duration alerts compare against.
 */
export function registerOpsGauges(metrics: ServerMetrics, tickRateHz: number): void {
  new Gauge({
    name: 'arena_tick_budget_seconds',
    help: 'Time one simulation step may take at the configured tick rate (1 / TICK_RATE_HZ)',
    registers: [metrics.registry],
  }).set(1 / tickRateHz);
}
