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

/** A key that is met when its reading is `op` the threshold. */
const sloKey = (op: SloOp, unit: string, help: string, read: SloKey['read']): SloKey => ({ op, unit, help, read });

/** How a percentile reads in a key's help: `rtt.p50` is the "median ping round trip". */
const LEVEL_WORDS = { p50: 'median', p90: 'p90', p99: 'p99', max: 'worst' } as const;
type Level = keyof typeof LEVEL_WORDS;

/**
 * Keys `<prefix>.<level>` for percentiles of one measurement in ms, each met
 * when at most its threshold; `what` completes the help ("median …").
 */
function percentileKeys(
  prefix: string,
  what: string,
  levels: readonly Level[],
  pick: (s: RunSummary) => Partial<Record<Level, number | null>> | null | undefined,
): Record<string, SloKey> {
  return Object.fromEntries(
    levels.map((level): [string, SloKey] => [
      `${prefix}.${level}`,
      sloKey('<=', 'ms', `${LEVEL_WORDS[level]} ${what}`, (s) => pick(s)?.[level] ?? null),
    ]),
  );
}

/** Every key `--slo` accepts. */
export const SLO_KEYS: Readonly<Record<string, SloKey>> = {
  ...percentileKeys('rtt', 'ping round trip', ['p50', 'p90', 'p99', 'max'], (s) => s.rttMs),
  ...percentileKeys('update', 'time between two state updates at a client', ['p50', 'p99'], (s) => s.updateIntervalMs),
  ...percentileKeys(
    'latency',
    'input-to-update latency seen by another client',
    ['p50', 'p99'],
    (s) => s.inputToUpdateMs,
  ),
  ...percentileKeys('tick', 'server tick (from /metrics)', ['p50', 'p99'], (s) => s.server?.tickMs),
  'updates.rate': sloKey('>=', '/s', 'state updates per client per second', (s) => s.perClient.updatesPerS),
  'bytes_in.rate': sloKey(
    '<=',
    'B/s',
    'downstream payload bytes per client per second',
    (s) => s.perClient.bytesInPerS,
  ),
  'bytes_out.rate': sloKey(
    '<=',
    'B/s',
    'upstream payload bytes per client per second',
    (s) => s.perClient.bytesOutPerS,
  ),
  connected: sloKey('>=', 'ratio', 'most bots connected at once, as a share of --bots', (s) => s.bots.connectedRatio),
  errors: sloKey('<=', 'count', 'errors after joining (error frames, unexpected closes)', (s) => s.bots.errors),
  join_errors: sloKey('<=', 'count', 'failed joins', (s) => s.bots.joinErrors),
  state_violations: sloKey('<=', 'count', 'failed state checks by decoding bots', (s) => s.stateChecks.violations),
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
