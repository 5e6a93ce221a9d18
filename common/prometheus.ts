/**
 * A strict reader for the Prometheus text exposition format (version 0.0.4),
 * enough to scrape the server's `/metrics` (the bots, the bench and the tests
 * read it; the server's cluster figures use its quantile): families with HELP and TYPE,
 * labelled samples, and histogram arithmetic (sums, differences between two
 * scrapes, quantiles interpolated within buckets as Prometheus's
 * `histogram_quantile` does). Malformed input throws, naming the line.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** Full sample name, e.g. `arena_tick_duration_seconds_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

export type Scrape = Map<string, MetricFamily>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/u;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/u;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export class PrometheusParseError extends Error {
  override name = 'PrometheusParseError';
}

/** Values as Go's ParseFloat (Prometheus's own reader) takes them: NaN and Inf in any case. */
function parseValue(raw: string, lineNo: number): number {
  const lower = raw.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/u.test(raw))
    throw new PrometheusParseError(`line ${lineNo}: bad value "${raw}"`);
  return Number(raw);
}

/** Parse `{a="x",b="y"}` starting at `text[start] === '{'`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new PrometheusParseError(`line ${lineNo}: unterminated label set`);
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new PrometheusParseError(`line ${lineNo}: bad label name "${name}"`);
    if (text[eq + 1] !== '"') throw new PrometheusParseError(`line ${lineNo}: label ${name} value must be quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] !== '\\') {
        value += text[j];
        continue;
      }
      const next = text[++j];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else throw new PrometheusParseError(`line ${lineNo}: bad escape in label ${name}`);
    }
    if (j >= text.length) throw new PrometheusParseError(`line ${lineNo}: unterminated value of label ${name}`);
    if (name in labels) throw new PrometheusParseError(`line ${lineNo}: label ${name} repeated`);
    labels[name] = value;
    i = j + 1;
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new PrometheusParseError(`line ${lineNo}: expected , or } after label ${name}`);
  }
}

function familyOf(sampleName: string, families: Scrape): MetricFamily | undefined {
  for (const family of families.values()) {
    for (const suffix of SUFFIXES[family.type]) if (sampleName === family.name + suffix) return family;
  }
  return undefined;
}

/** Parse a whole exposition. Samples before any TYPE line form `untyped` families. */
export function parsePrometheusText(text: string): Scrape {
  const families: Scrape = new Map();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    const lineNo = n + 1;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/u.exec(line);
      if (!m) continue; // a plain comment
      const [, keyword, name, rest = ''] = m;
      if (!NAME.test(name!)) throw new PrometheusParseError(`line ${lineNo}: bad metric name "${name}"`);
      const family = families.get(name!) ?? { name: name!, type: 'untyped' as MetricType, help: '', samples: [] };
      if (keyword === 'TYPE') {
        if (!TYPES.includes(rest as MetricType))
          throw new PrometheusParseError(`line ${lineNo}: unknown type "${rest}"`);
        if (family.samples.length > 0)
          throw new PrometheusParseError(`line ${lineNo}: TYPE of ${name} after its samples`);
        family.type = rest as MetricType;
      } else {
        family.help = rest.replace(/\\n/gu, '\n').replace(/\\\\/gu, '\\');
      }
      families.set(name!, family);
      continue;
    }
    const nameEnd = line.search(/[{\s]/u);
    if (nameEnd <= 0) throw new PrometheusParseError(`line ${lineNo}: no value`);
    const name = line.slice(0, nameEnd);
    if (!NAME.test(name)) throw new PrometheusParseError(`line ${lineNo}: bad metric name "${name}"`);
    let labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (rest.startsWith('{')) {
      const parsed = parseLabels(line, nameEnd, lineNo);
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const parts = rest.trim().split(/\s+/u);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '')
      throw new PrometheusParseError(`line ${lineNo}: expected a value and an optional timestamp`);
    const value = parseValue(parts[0]!, lineNo);
    if (parts[1] !== undefined && !/^-?\d+$/u.test(parts[1]))
      throw new PrometheusParseError(`line ${lineNo}: bad timestamp "${parts[1]}"`);
    let family = familyOf(name, families);
    if (!family) {
      family = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, family);
    }
    family.samples.push({ name, labels, value });
  }
  return families;
}

/** Sum of a family's samples named `sampleName` (default: the family name) whose labels include `match`. */
export function sumOf(scrape: Scrape, family: string, match: Record<string, string> = {}, sampleName = family): number {
  const f = scrape.get(family);
  if (!f) return 0;
  let total = 0;
  for (const s of f.samples) {
    if (s.name !== sampleName) continue;
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** A histogram folded over all its label sets: cumulative counts per upper bound. */
export interface HistogramData {
  /** Upper bounds ascending, ending with +Infinity. */
  bounds: number[];
  /** Cumulative counts, same length as `bounds`. */
  cumulative: number[];
  sum: number;
  count: number;
}

/** Fold a histogram family (every label set added together), or undefined if absent. */
export function histogramOf(scrape: Scrape, family: string): HistogramData | undefined {
  const f = scrape.get(family);
  if (f?.type !== 'histogram') return undefined;
  const byBound = new Map<number, number>();
  for (const s of f.samples) {
    if (s.name !== `${family}_bucket`) continue;
    const le = s.labels.le;
    if (le === undefined) throw new PrometheusParseError(`${family}_bucket without le`);
    const bound = parseValue(le, 0);
    byBound.set(bound, (byBound.get(bound) ?? 0) + s.value);
  }
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  return {
    bounds,
    cumulative: bounds.map((b) => byBound.get(b)!),
    sum: sumOf(scrape, family, {}, `${family}_sum`),
    count: sumOf(scrape, family, {}, `${family}_count`),
  };
}

/** What was observed between two scrapes of the same histogram (`later - earlier`). */
export function histogramDelta(later: HistogramData, earlier: HistogramData | undefined): HistogramData {
  if (!earlier) return later;
  return {
    bounds: later.bounds,
    cumulative: later.cumulative.map((c, i) => c - (earlier.cumulative[i] ?? 0)),
    sum: later.sum - earlier.sum,
    count: later.count - earlier.count,
  };
}

/**
 * The `q`-quantile (0–1) of a histogram, interpolated linearly inside the
 * bucket it falls in (Prometheus's `histogram_quantile`); NaN when empty. A
 * quantile in the +Inf bucket returns the highest finite bound.
 */
export function histogramQuantile(h: HistogramData, q: number): number {
  const total = h.cumulative[h.cumulative.length - 1] ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    const bound = h.bounds[i]!;
    const count = h.cumulative[i]!;
    if (count >= rank) {
      if (!Number.isFinite(bound)) return prevBound;
      const inBucket = count - prevCount;
      return inBucket <= 0 ? bound : prevBound + ((bound - prevBound) * (rank - prevCount)) / inBucket;
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}
