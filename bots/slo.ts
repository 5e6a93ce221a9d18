/**
 * Service-level objectives a run must meet: `--slo rtt.p99=50` means "p99
 * RTT at most 50 ms". Each key knows which way is good (`=` uses that), and
 * `<=` / `>=` state it explicitly. A metric that was never measured (no
 * samples, no server scrape) misses its objective: a run cannot pass a check
 * it did not make.
 */
import type { RunSummary } from './report.ts';

export type SloOp = '<=' | '>=';

export interface Slo {
  key: string;
  op: SloOp;
  threshold: number;
}

export interface SloResult extends Slo {
  /** The measured value; null when it was not measured. */
  actual: number | null;
  pass: boolean;
}

interface SloKey {
  /** Direction that `key=value` means. */
  op: SloOp;
  unit: string;
  help: string;
  read(s: RunSummary): number | null;
}

/** Every key `--slo` accepts. */
export const SLO_KEYS: Readonly<Record<string, SloKey>> = {
  'rtt.p50': { op: '<=', unit: 'ms', help: 'median ping round trip', read: (s) => s.rttMs.p50 },
  'rtt.p90': { op: '<=', unit: 'ms', help: 'p90 ping round trip', read: (s) => s.rttMs.p90 },
  'rtt.p99': { op: '<=', unit: 'ms', help: 'p99 ping round trip', read: (s) => s.rttMs.p99 },
  'rtt.max': { op: '<=', unit: 'ms', help: 'worst ping round trip', read: (s) => s.rttMs.max },
  'update.p50': {
    op: '<=',
    unit: 'ms',
    help: 'median time between two state updates at a client',
    read: (s) => s.updateIntervalMs.p50,
  },
  'update.p99': {
    op: '<=',
    unit: 'ms',
    help: 'p99 time between two state updates at a client',
    read: (s) => s.updateIntervalMs.p99,
  },
  'latency.p50': {
    op: '<=',
    unit: 'ms',
    help: 'median input-to-update latency seen by another client',
    read: (s) => s.inputToUpdateMs.p50,
  },
  'latency.p99': {
    op: '<=',
    unit: 'ms',
    help: 'p99 input-to-update latency seen by another client',
    read: (s) => s.inputToUpdateMs.p99,
  },
  'tick.p50': {
    op: '<=',
    unit: 'ms',
    help: 'median server tick (from /metrics)',
    read: (s) => s.server?.tickMs.p50 ?? null,
  },
  'tick.p99': {
    op: '<=',
    unit: 'ms',
    help: 'p99 server tick (from /metrics)',
    read: (s) => s.server?.tickMs.p99 ?? null,
  },
  'updates.rate': {
    op: '>=',
    unit: '/s',
    help: 'state updates per client per second',
    read: (s) => s.perClient.updatesPerS,
  },
  'bytes_in.rate': {
    op: '<=',
    unit: 'B/s',
    help: 'downstream payload bytes per client per second',
    read: (s) => s.perClient.bytesInPerS,
  },
  'bytes_out.rate': {
    op: '<=',
    unit: 'B/s',
    help: 'upstream payload bytes per client per second',
    read: (s) => s.perClient.bytesOutPerS,
  },
  connected: {
    op: '>=',
    unit: 'ratio',
    help: 'most bots connected at once, as a share of --bots',
    read: (s) => s.bots.connectedRatio,
  },
  errors: {
    op: '<=',
    unit: 'count',
    help: 'errors after joining (error frames, unexpected closes)',
    read: (s) => s.bots.errors,
  },
  join_errors: { op: '<=', unit: 'count', help: 'failed joins', read: (s) => s.bots.joinErrors },
  state_violations: {
    op: '<=',
    unit: 'count',
    help: 'failed state checks by decoding bots',
    read: (s) => s.stateChecks.violations,
  },
};

export class SloParseError extends Error {
  override name = 'SloParseError';
}

/** Parse one or more comma-separated objectives, e.g. `rtt.p99=50,errors<=0`. */
export function parseSlos(text: string): Slo[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const m = /^([a-z_.0-9]+)\s*(<=|>=|=)\s*(-?\d+(?:\.\d+)?)$/u.exec(part);
      if (!m) throw new SloParseError(`bad --slo "${part}": expected key=value, key<=value or key>=value`);
      const [, key, op, value] = m;
      const spec = SLO_KEYS[key!];
      if (!spec) throw new SloParseError(`unknown --slo key "${key}"; known: ${Object.keys(SLO_KEYS).join(', ')}`);
      return { key: key!, op: op === '=' ? spec.op : (op as SloOp), threshold: Number(value) };
    });
}

export function evaluateSlos(slos: readonly Slo[], summary: RunSummary): SloResult[] {
  return slos.map((slo) => {
    const actual = SLO_KEYS[slo.key]!.read(summary);
    const pass =
      actual !== null &&
      Number.isFinite(actual) &&
      (slo.op === '<=' ? actual <= slo.threshold : actual >= slo.threshold);
    return { ...slo, actual, pass };
  });
}

/** `rtt.p99 <= 50 ms`. */
export function describeSlo(slo: Slo): string {
  return `${slo.key} ${slo.op} ${slo.threshold} ${SLO_KEYS[slo.key]?.unit ?? ''}`.trim();
}
