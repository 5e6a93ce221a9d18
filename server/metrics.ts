/**
 * Prometheus metrics for `GET /metrics` (prom-client, text exposition format).
 *
 * - Rooms and CCU from Colyseus's own process-local counters.
 * - Fixed-step and patch-broadcast durations, timed by the room through {@link RoomMetrics}.
 * - WebSocket frames and bytes in and out, counted at the transport
 *   (`transportMeter.ts`).
 * - Forwarded connections in cluster mode, from the cluster's counters.
 * - prom-client's default process metrics: CPU, heap, event-loop delay, GC.
 *
 * Each app gets its own {@link Registry}, so several apps in one process
 * (tests) never collide. Label sets are only built when Prometheus scrapes.
 */
import { constants as perfConstants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { matchMaker } from '@colyseus/core';
import type { WebSocketTransport } from '@colyseus/ws-transport';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { WebSocketServer } from 'ws';
import { LocalHistogram } from './localHistogram.ts';
import { TransportMeter } from './transportMeter.ts';

/** What a room needs to time its work. Durations are recorded in seconds. */
export interface RoomMetrics {
  /** Run one fixed simulation step and record how long it took. */
  timeStep<T>(step: () => T): T;
  /** Run one patch broadcast (encode + send to every client) and record how long it took. */
  timePatch<T>(broadcast: () => T): T;
  /** Record how many inputs one client had queued as a step started. */
  observeInputDepth(depth: number): void;
}

/** A {@link RoomMetrics} that records nothing (rooms built without metrics). */
export const NO_ROOM_METRICS: RoomMetrics = {
  timeStep: (step) => step(),
  timePatch: (broadcast) => broadcast(),
  observeInputDepth: () => {},
};

/** Connection-forwarding counters of a cluster instance (see `server/cluster`). */
export interface ForwardCounters {
  readonly opened: number;
  readonly active: number;
  readonly failed: number;
}

export interface MetricsOptions {
  /** Read at scrape time; absent outside cluster mode. */
  forwardStats?: () => ForwardCounters | undefined;
  /** Collect prom-client's default process metrics (CPU, heap, event loop, GC). Default true. */
  defaultMetrics?: boolean;
  /** Registers more metrics on this app's registry (e.g. the cluster's edge channel). */
  extra?: (registry: Registry) => void;
}

/**
 * Histogram buckets for step and patch durations, in seconds: fine below
 * 2 ms (where a healthy 30 Hz room lives) so p50/p99 can be read off them,
 * coarse above (where something is wrong anyway).
 */
export const DURATION_BUCKETS_S = [
  0.00001, 0.000025, 0.00005, 0.000075, 0.0001, 0.00015, 0.0002, 0.0003, 0.0004, 0.0005, 0.00075, 0.001, 0.00125,
  0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1,
];

/** Buckets of {@link ServerMetrics}' input depth histogram, in inputs (a buffer holds at most 32). */
export const INPUT_DEPTH_BUCKETS = [0, 1, 2, 3, 4, 6, 8, 16, 32];

/** The server's metrics: one registry, the room timers, and the transport meter. */
export class ServerMetrics implements RoomMetrics {
  readonly registry = new Registry();
  /** WebSocket frames and bytes by protocol kind, and connections (`arena_ws_*`). */
  private readonly transport: TransportMeter;
  private readonly stepDuration: LocalHistogram;
  private readonly patchDuration: LocalHistogram;
  private readonly gcObserver: PerformanceObserver;
  private readonly inputDepth: LocalHistogram;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: 'arena_ccu',
      help: 'Connected clients (and seats reserved for joining ones) on this process',
      registers,
      collect() {
        this.set(matchMaker.stats.local.ccu);
      },
    });
    new Gauge({
      name: 'arena_rooms',
      help: 'Rooms open on this process (arena and lobby)',
      registers,
      collect() {
        this.set(matchMaker.stats.local.roomCount);
      },
    });
    this.stepDuration = new LocalHistogram(
      'arena_tick_duration_seconds',
      'Time to run one fixed simulation step of an arena room',
      DURATION_BUCKETS_S,
      registers,
    );
    this.patchDuration = new LocalHistogram(
      'arena_patch_duration_seconds',
      'Time to encode one state patch of an arena room and hand it to every client socket',
      DURATION_BUCKETS_S,
      registers,
    );

    this.transport = new TransportMeter(this.registry);

    // Heap in use right after a full collection is the live data: what capacity
    // planning needs (nodejs_heap_size_used_bytes also counts garbage not yet collected).
    const heapLive = new Gauge({
      name: 'arena_heap_live_bytes',
      help: 'V8 heap in use right after the last major (mark-compact) garbage collection; 0 until one has run',
      registers,
    });
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (
          (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
          perfConstants.NODE_PERFORMANCE_GC_MAJOR
        )
          heapLive.set(process.memoryUsage().heapUsed);
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });

    // Input pacing (see shared/inputPace.ts): a standing queue here is latency every input pays.
    this.inputDepth = new LocalHistogram(
      'arena_input_buffer_depth',
      'Inputs a client had queued on the server as a fixed step started (one per client per step; 1 is ideal)',
      INPUT_DEPTH_BUCKETS,
      registers,
    );

    const forward = options.forwardStats;
    if (forward) {
      const forwardCounter = (name: string, help: string, read: (s: ForwardCounters) => number) =>
        new Counter({
          name,
          help,
          registers,
          collect() {
            const stats = forward();
            this.reset();
            if (stats) this.inc(read(stats));
          },
        });
      forwardCounter(
        'arena_forwarded_connections_opened_total',
        'Room connections carried to the instance owning the room',
        (s) => s.opened,
      );
      forwardCounter(
        'arena_forwarded_connections_failed_total',
        'Room connections that could not be forwarded',
        (s) => s.failed,
      );
      new Gauge({
        name: 'arena_forwarded_connections_active',
        help: 'Forwarded room connections open now',
        registers,
        collect() {
          this.set(forward()?.active ?? 0);
        },
      });
    }
    options.extra?.(this.registry);
  }

  /** Content type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The metrics in Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  timeStep<T>(step: () => T): T {
    const start = performance.now();
    try {
      return step();
    } finally {
      this.stepDuration.observe((performance.now() - start) / 1000);
    }
  }

  timePatch<T>(broadcast: () => T): T {
    const start = performance.now();
    try {
      return broadcast();
    } finally {
      this.patchDuration.observe((performance.now() - start) / 1000);
    }
  }

  observeInputDepth(depth: number): void {
    this.inputDepth.observe(depth);
  }

  /** Count every frame through a Colyseus WebSocket transport (its `ws` server). */
  meterTransport(transport: WebSocketTransport): void {
    this.transport.meterTransport(transport);
  }

  /** Count every frame of every socket `wss` accepts from now on. */
  meterSocketServer(wss: WebSocketServer): void {
    this.transport.meterSocketServer(wss);
  }

  /** Stop collecting (clears the registry); call on shutdown. */
  close(): void {
    this.gcObserver.disconnect();
    this.registry.clear();
  }
}
