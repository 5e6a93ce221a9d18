/**
 * Cheap statistics for many samples: a log-bucketed histogram with ~1 %
 * relative precision (so percentiles over millions of samples cost a fixed
 * few kilobytes), and a summary shape used across reports.
 */

/** Percentiles of one quantity, in the quantity's unit (ms for times). NaN when there were no samples. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Smallest value resolved; anything below lands in the first bucket (ms for times). */
const MIN_VALUE = 0.001;
/** Ratio between successive bucket bounds: 1 % relative error. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Covers 0.001 .. ~10^7 (hours, in ms). */
const BUCKETS = Math.ceil(Math.log(1e10) / LOG_GROWTH) + 2;

/**
 * Log-bucketed histogram of non-negative values. `record` is O(1); percentiles
 * are read from bucket midpoints, so they are within 1 % of the true value.
 */
export class LogHistogram {
  private counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  record(value: number): void {
    if (!(value >= 0)) return; // NaN and negatives are not samples
    const index =
      value <= MIN_VALUE ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(value / MIN_VALUE) / LOG_GROWTH));
    this.counts[index]! += 1;
    this.count += 1;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** Add every sample of `other` to this histogram. */
  merge(other: LogHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  /** The histogram as plain JSON: its non-empty buckets (index, count) and totals. */
  toJSON(): SparseHistogram {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { buckets, count: this.count, sum: this.sum, max: this.max };
  }

  /** A histogram from {@link toJSON}'s output (a report written by another process or machine). */
  static fromJSON(data: SparseHistogram): LogHistogram {
    const h = new LogHistogram();
    for (const [index, count] of data.buckets) {
      if (!Number.isInteger(index) || index < 0 || index >= BUCKETS || !(count >= 0))
        throw new Error(`bad histogram bucket [${index}, ${count}]`);
      h.counts[index]! += count;
    }
    h.count = data.count;
    h.sum = data.sum;
    h.max = data.max;
    return h;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  /** The value below which a fraction `q` (0–1) of samples fall; NaN when empty. */
  percentile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        if (i === 0) return Math.min(MIN_VALUE, this.max);
        const lower = MIN_VALUE * GROWTH ** (i - 1);
        return Math.min(lower * Math.sqrt(GROWTH), this.max);
      }
    }
    return this.max;
  }

  summary(): Summary {
    return {
      count: this.count,
      mean: this.count > 0 ? this.sum / this.count : Number.NaN,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
      max: this.count > 0 ? this.max : Number.NaN,
    };
  }
}

/** A {@link LogHistogram} as JSON: non-empty buckets as [index, count]. */
export interface SparseHistogram {
  buckets: Array<[number, number]>;
  count: number;
  sum: number;
  max: number;
}

/** Round for reports: 3 significant decimals below 10, fewer above; NaN and infinities become null (JSON has neither). */
export function roundForReport(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 10 ? 2 : 3;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A {@link Summary} with every number rounded for a report (null where there were no samples). */
export type ReportSummary = { count: number } & { [K in Exclude<keyof Summary, 'count'>]: number | null };

export function reportSummary(s: Summary): ReportSummary {
  return {
    count: s.count,
    mean: roundForReport(s.mean),
    p50: roundForReport(s.p50),
    p90: roundForReport(s.p90),
    p99: roundForReport(s.p99),
    max: roundForReport(s.max),
  };
}
