/**
 * The run's report: its shape (what the JSON holds), the end-of-run summary
 * table for the terminal, and the live progress line.
 */
import type { RunOptions } from './options.ts';
import { describeSlo, type SloResult } from './slo.ts';
import type { ReportSummary, SparseHistogram } from './stats.ts';
import type { ServerWindow } from './scrape.ts';

/** One point of the time series, taken once a second. Rates are per second; times in ms; null where not measured. */
export interface SeriesPoint {
  /** Seconds since the run started. */
  t: number;
  target: number;
  connected: number;
  rttP50: number | null;
  rttP99: number | null;
  updateIntervalP50: number | null;
  updateIntervalP99: number | null;
  latencyP50: number | null;
  latencyP99: number | null;
  updatesPerClientPerS: number | null;
  bytesInPerClientPerS: number | null;
  bytesOutPerClientPerS: number | null;
  bytesInPerS: number;
  bytesOutPerS: number;
  errors: number;
  reconnects: number;
  tickP50: number | null;
  tickP99: number | null;
  serverCpuPercent: number | null;
  serverHeapBytes: number | null;
  botLoopLagP99: number | null;
}

/** Figures over the measured window (after the ramp). */
export interface RunSummary {
  /** The measured window; `clientSeconds` is connected bots integrated over it (what per-client rates divide by). */
  window: { fromS: number; toS: number; seconds: number; clientSeconds?: number };
  bots: {
    target: number;
    connectedMax: number;
    connectedAtEnd: number;
    /** connectedMax / target. */
    connectedRatio: number;
    decoders: number;
    rooms: number;
    /** Ids of the rooms the bots were in (merging reports counts each room once). */
    roomIds?: string[];
    joinAttempts: number;
    joinErrors: number;
    errors: number;
    drops: number;
    reconnects: number;
    skippedTicks: number;
  };
  rttMs: ReportSummary;
  updateIntervalMs: ReportSummary;
  inputToUpdateMs: ReportSummary & { probesSent: number; probesLost: number };
  /** Per connected client per second, over the window. Bytes are WebSocket payloads; `wire*` add WebSocket frame headers. */
  perClient: {
    updatesPerS: number | null;
    inputsPerS: number | null;
    bytesInPerS: number | null;
    bytesOutPerS: number | null;
    wireBytesInPerS: number | null;
    wireBytesOutPerS: number | null;
  };
  totals: {
    bytesIn: number;
    bytesOut: number;
    patches: number;
    inputsSent: number;
    messagesIn: number;
    chatsSent: number;
    chatsRefused: number;
  };
  stateChecks: { checks: number; violations: number; samples: string[] };
  /** The server over the window, from `/metrics`; null when not scraped. */
  server: (ServerWindow & { scrapeErrors: number }) | null;
  botProcess: { cpuPercent: number | null; eventLoopLagP99Ms: number | null; eventLoopLagMaxMs: number | null };
  errorSamples: string[];
}

export interface BotReport {
  tool: 'arena-bots';
  version: 1;
  startedAt: string;
  finishedAt: string;
  options: Omit<RunOptions, 'metricsToken'>;
  summary: RunSummary;
  series: SeriesPoint[];
  slo: SloResult[];
  /** Every objective met and at least one bot connected. */
  passed: boolean;
  /** The client-side histograms behind the summary, so reports of several parts merge exactly. */
  histograms?: { rttMs: SparseHistogram; updateIntervalMs: SparseHistogram; inputToUpdateMs: SparseHistogram };
  /** A merged report: what each part (worker or shard) did. */
  parts?: PartSummary[];
}

/** One part of a merged run. */
export interface PartSummary {
  /** `shard/worker` or the report it came from. */
  name: string;
  target: number;
  connectedMax: number;
  errors: number;
  /** CPU of the part's process, % of one core (null for worker threads: their process is measured as a whole). */
  cpuPercent: number | null;
}

const fmt = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);

/** Bytes with a binary unit: 1.2 KiB. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

/** The live progress line. */
export function progressLine(p: SeriesPoint): string {
  return (
    `t=${p.t.toFixed(0)}s bots ${p.connected}/${p.target} | rtt p50 ${fmt(p.rttP50)} p99 ${fmt(p.rttP99)} ms | ` +
    `upd ${fmt(p.updatesPerClientPerS)}/s/client | in ${formatBytes(p.bytesInPerS)}/s out ${formatBytes(p.bytesOutPerS)}/s | ` +
    `tick p99 ${fmt(p.tickP99, 2)} ms | err ${p.errors} reconn ${p.reconnects}`
  );
}

/** Rows of [label, value]; a row with an empty value is a section heading. */
function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.filter(([, v]) => v !== '').map(([k]) => k.length));
  return rows.map(([k, v], i) => (v === '' ? `${i > 0 ? '\n' : ''}${k}` : `  ${k.padEnd(width)}  ${v}`)).join('\n');
}

const pct = (s: ReportSummary): string =>
  `p50 ${fmt(s.p50, 2)}  p90 ${fmt(s.p90, 2)}  p99 ${fmt(s.p99, 2)}  max ${fmt(s.max, 2)}  (n=${s.count})`;

/** Bots held per core of the load generator over the window: peak connected bots / (CPU % / 100); null when CPU was not measured. */
export function botsPerCore(r: BotReport): number | null {
  const cpu = r.summary.botProcess.cpuPercent;
  return cpu !== null && cpu > 0 ? r.summary.bots.connectedMax / (cpu / 100) : null;
}

/** The end-of-run table. */
export function summaryTable(r: BotReport): string {
  const s = r.summary;
  const rows: Array<readonly [string, string]> = [
    [
      `Arena bots: ${r.options.bots} bots against ${r.options.url}, measured ${s.window.fromS.toFixed(0)}–${s.window.toS.toFixed(0)} s`,
      '',
    ],
    [
      'connected (max / end / target)',
      `${s.bots.connectedMax} / ${s.bots.connectedAtEnd} / ${s.bots.target} in ${s.bots.rooms} rooms`,
    ],
    ['decoding bots', `${s.bots.decoders}`],
    ['joins (attempts / failed)', `${s.bots.joinAttempts} / ${s.bots.joinErrors}`],
    ['errors / drops / reconnects', `${s.bots.errors} / ${s.bots.drops} / ${s.bots.reconnects}`],
    ['Client side', ''],
    ['RTT (ms)', pct(s.rttMs)],
    ['update interval (ms)', pct(s.updateIntervalMs)],
    ['input→update, other client (ms)', `${pct(s.inputToUpdateMs)}, lost ${s.inputToUpdateMs.probesLost}`],
    ['updates / client / s', fmt(s.perClient.updatesPerS, 2)],
    ['inputs / client / s', fmt(s.perClient.inputsPerS, 2)],
    [
      'down / client / s',
      `${formatBytes(s.perClient.bytesInPerS)} payload, ${formatBytes(s.perClient.wireBytesInPerS)} with WS headers`,
    ],
    [
      'up / client / s',
      `${formatBytes(s.perClient.bytesOutPerS)} payload, ${formatBytes(s.perClient.wireBytesOutPerS)} with WS headers`,
    ],
    ['chat sent / refused', `${s.totals.chatsSent} / ${s.totals.chatsRefused}`],
    ['state checks / violations', `${s.stateChecks.checks} / ${s.stateChecks.violations}`],
    ['bot process CPU / loop lag p99', `${fmt(s.botProcess.cpuPercent)} % / ${fmt(s.botProcess.eventLoopLagP99Ms)} ms`],
    ['bots per load-generator core', fmt(botsPerCore(r), 0)],
  ];
  if (r.parts && r.parts.length > 1) {
    rows.push([`Parts (${r.parts.length})`, '']);
    for (const part of r.parts) {
      rows.push([
        part.name,
        `${part.connectedMax} / ${part.target} connected, ${part.errors} errors${part.cpuPercent !== null ? `, CPU ${fmt(part.cpuPercent)} %` : ''}`,
      ]);
    }
  }
  if (s.server) {
    rows.push(
      ['Server (/metrics)', ''],
      [
        'tick (ms)',
        `p50 ${fmt(s.server.tickMs.p50, 3)}  p99 ${fmt(s.server.tickMs.p99, 3)}  mean ${fmt(s.server.tickMs.mean, 3)}  (n=${s.server.tickMs.count})`,
      ],
      [
        'patch broadcast (ms)',
        `p50 ${fmt(s.server.patchMs.p50, 3)}  p99 ${fmt(s.server.patchMs.p99, 3)}  (n=${s.server.patchMs.count})`,
      ],
      [
        'input buffer depth (inputs)',
        `p50 ${fmt(s.server.inputDepth.p50, 2)}  p99 ${fmt(s.server.inputDepth.p99, 2)}  mean ${fmt(s.server.inputDepth.mean, 2)}`,
      ],
      ['CPU', `${fmt(s.server.cpuPercent)} % of a core`],
      ['heap used', formatBytes(s.server.heapUsedBytes)],
      ['patch frame size (mean)', formatBytes(s.server.patchFrameBytes)],
      ['scrape errors', `${s.server.scrapeErrors}`],
    );
  }
  if (r.slo.length > 0) {
    rows.push(['Objectives', '']);
    for (const slo of r.slo)
      rows.push([describeSlo(slo), `${slo.pass ? 'PASS' : 'MISS'} (actual ${fmt(slo.actual, 2)})`]);
  }
  rows.push([
    `Result: ${r.passed ? 'PASS' : 'FAIL'}${r.summary.bots.connectedMax === 0 ? ' (no bot connected)' : ''}`,
    '',
  ]);
  return table(rows);
}
