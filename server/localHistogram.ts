/**
 * A Prometheus histogram for hot paths. prom-client's `observe` builds a
 * closure, a label object and a label hash on every call; the room observes
 * a step, a patch and every client's input depth 30 times a second, so that
 * became garbage and CPU per client. Here `observe` is a bucket search and
 * three additions. It registers with a prom-client {@link Registry} and
 * answers `get()` in prom-client's own shape (`_bucket` with cumulative `le`
 * counts, `_sum`, `_count`), so the exposition and every reader stay as they were.
 */
import type { MetricValueWithName, Registry } from 'prom-client';

export class LocalHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Observations per bucket (not cumulative); the last is above every bound (+Inf). */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  /**
   * @param upperBounds ascending bucket bounds (`le`), in the unit observed
   */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    registers: readonly Registry[],
  ) {
    this.counts = new Float64Array(upperBounds.length + 1);
    // prom-client takes any object with its metric shape (name, help, type, get, reset); its Metric type is a class.
    for (const registry of registers) Reflect.apply(registry.registerMetric, registry, [this]);
  }

  /** Count one observation (same bucket rule as prom-client: the first bound ≥ value). */
  observe(value: number): void {
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }

  /** The samples, as prom-client's `Histogram.get()` gives them. */
  async get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: MetricValueWithName<string>[];
  }> {
    const bucket = `${this.name}_bucket`;
    const values: MetricValueWithName<string>[] = [];
    let acc = 0;
    for (let i = 0; i < this.upperBounds.length; i++) {
      acc += this.counts[i]!;
      values.push({ labels: { le: this.upperBounds[i]! }, value: acc, metricName: bucket });
    }
    values.push(
      { labels: { le: '+Inf' }, value: this.count, metricName: bucket },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.count, metricName: `${this.name}_count` },
    );
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
