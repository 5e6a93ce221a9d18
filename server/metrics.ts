/**
 * Prometheus metrics for `GET /metrics` (prom-client, text exposition format).
 *
 * - Rooms and CCU from Colyseus's own process-local counters.
 * - Fixed-step and patch-broadcast durations, timed by the room through {@link RoomMetrics}.
 * - WebSocket frames and bytes in and out, counted at the transport: every
 *   frame the server sends or receives goes through the `ws` socket, so the
 *   counts are exact, and the frame's first byte (its Colyseus protocol code)
 *   says what it is: a state patch, a full state, a room message, an input…
 * - Forwarded connections in cluster mode, from the cluster's counters.
 * - prom-client's default process metrics: CPU, heap, event-loop delay, GC.
 *
 * Each app gets its own {@link Registry}, so several apps in one process
 * (tests) never collide. Counting a frame costs two array increments; label
 * sets are only built when Prometheus scrapes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { constants as perfConstants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { matchMaker, Protocol } from '@colyseus/core';
import type { WebSocketTransport } from '@colyseus/ws-transport';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { WebSocket, WebSocketServer } from 'ws';
import { transportSocketServer } from './colyseusInternals.ts';
import { PROTOCOL_CODE_MASK, protocolCode } from '../shared/wire.ts';
import { LocalHistogram } from './localHistogram.ts';

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

/** The `kind` label of a frame the server sends, by protocol code. */
const SENT_KIND: Readonly<Record<number, string>> = {
  [Protocol.JOIN_ROOM]: 'join',
  [Protocol.ERROR]: 'error',
  [Protocol.LEAVE_ROOM]: 'leave',
  [Protocol.ROOM_DATA]: 'message',
  [Protocol.ROOM_DATA_BYTES]: 'message',
  [Protocol.ROOM_STATE]: 'state',
  [Protocol.ROOM_STATE_PATCH]: 'patch',
  [Protocol.PING]: 'ping',
  [Protocol.ROOM_RESPONSE]: 'response',
};

/** The `kind` label of a frame the server receives, by protocol code. */
const RECEIVED_KIND: Readonly<Record<number, string>> = {
  [Protocol.JOIN_ROOM]: 'join',
  [Protocol.LEAVE_ROOM]: 'leave',
  [Protocol.ROOM_DATA]: 'message',
  [Protocol.ROOM_DATA_BYTES]: 'message',
  [Protocol.ROOM_INPUT_RELIABLE]: 'input',
  [Protocol.ROOM_INPUT_UNRELIABLE]: 'input',
  [Protocol.PING]: 'ping',
  [Protocol.ROOM_REQUEST]: 'request',
};

/** Frames and payload bytes per protocol code, for one direction. */
class FrameTally {
  readonly frames = new Float64Array(PROTOCOL_CODE_MASK + 1);
  readonly bytes = new Float64Array(PROTOCOL_CODE_MASK + 1);

  add(firstByte: number, byteLength: number): void {
    const code = protocolCode(firstByte);
    this.frames[code]! += 1;
    this.bytes[code]! += byteLength;
  }

  /** Totals by kind label; codes without a name are summed under `other`. */
  byKind(names: Readonly<Record<number, string>>, of: 'frames' | 'bytes'): Map<string, number> {
    const out = new Map<string, number>();
    for (const kind of new Set(Object.values(names))) out.set(kind, 0);
    out.set('other', 0);
    const values = this[of];
    for (let code = 0; code <= PROTOCOL_CODE_MASK; code++) {
      const kind = names[code] ?? 'other';
      out.set(kind, out.get(kind)! + values[code]!);
    }
    return out;
  }
}

function byteLengthOf(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((sum: number, part: unknown) => sum + byteLengthOf(part), 0);
  return 0;
}

/** Buckets of {@link ServerMetrics}' input depth histogram, in inputs (a buffer holds at most 32). */
export const INPUT_DEPTH_BUCKETS = [0, 1, 2, 3, 4, 6, 8, 16, 32];

function firstByteOf(data: unknown): number {
  if (data instanceof Uint8Array) return data.length > 0 ? data[0]! : 0;
  if (data instanceof ArrayBuffer) return data.byteLength > 0 ? new Uint8Array(data, 0, 1)[0]! : 0;
  if (Array.isArray(data) && data.length > 0) return firstByteOf(data[0]);
  return 0;
}

/** The server's metrics: one registry, the room timers, and the transport meter. */
export class ServerMetrics implements RoomMetrics {
  readonly registry = new Registry();
  private readonly sent = new FrameTally();
  private readonly received = new FrameTally();
  private connectionsOpened = 0;
  private readonly sockets = new Set<WebSocket>();
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

    const tallyCounter = (
      name: string,
      help: string,
      tally: FrameTally,
      names: Readonly<Record<number, string>>,
      of: 'frames' | 'bytes',
    ) =>
      new Counter({
        name,
        help,
        labelNames: ['kind'],
        registers,
        collect() {
          // The tallies are monotonic totals: reset + inc publishes them as they are.
          this.reset();
          for (const [kind, value] of tally.byKind(names, of)) this.inc({ kind }, value);
        },
      });
    tallyCounter(
      'arena_ws_frames_sent_total',
      'WebSocket frames sent to clients, by protocol kind',
      this.sent,
      SENT_KIND,
      'frames',
    );
    tallyCounter(
      'arena_ws_sent_bytes_total',
      'WebSocket payload bytes sent to clients, by protocol kind (patch = state patches)',
      this.sent,
      SENT_KIND,
      'bytes',
    );
    tallyCounter(
      'arena_ws_frames_received_total',
      'WebSocket frames received from clients, by protocol kind',
      this.received,
      RECEIVED_KIND,
      'frames',
    );
    tallyCounter(
      'arena_ws_received_bytes_total',
      'WebSocket payload bytes received from clients, by protocol kind',
      this.received,
      RECEIVED_KIND,
      'bytes',
    );

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

    const self = this;
    new Gauge({
      name: 'arena_ws_connections',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(self.sockets.size);
      },
    });
    new Counter({
      name: 'arena_ws_connections_opened_total',
      help: 'WebSocket connections accepted',
      registers,
      collect() {
        this.reset();
        this.inc(self.connectionsOpened);
      },
    });

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
    this.meterSocketServer(transportSocketServer(transport));
  }

  /** Count every frame of every socket `wss` accepts from now on. */
  meterSocketServer(wss: WebSocketServer): void {
    wss.on('connection', (ws: WebSocket) => this.meterSocket(ws));
  }

  private meterSocket(ws: WebSocket): void {
    this.connectionsOpened += 1;
    this.sockets.add(ws);
    ws.once('close', () => this.sockets.delete(ws));
    const received = this.received;
    ws.on('message', (data: unknown) => received.add(firstByteOf(data), byteLengthOf(data)));
    // This socket's send is the one path every outgoing frame takes: count there, with
    // a fast path for the binary frames Colyseus sends and no allocation per frame.
    const send = ws.send as (this: WebSocket, data: unknown, options?: unknown, cb?: unknown) => void;
    const sent = this.sent;
    ws.send = function (this: WebSocket, data: unknown, options?: unknown, cb?: unknown): void {
      if (data instanceof Uint8Array) sent.add(data.byteLength > 0 ? data[0]! : 0, data.byteLength);
      else sent.add(firstByteOf(data), byteLengthOf(data));
      send.call(this, data, options, cb);
    } as WebSocket['send'];
  }

  /** Stop collecting (clears the registry); call on shutdown. */
  close(): void {
    this.gcObserver.disconnect();
    this.registry.clear();
  }
}

/** True when an `Authorization` header carries exactly `Bearer <token>` (compared in constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header), digest(`Bearer ${token}`));
}
