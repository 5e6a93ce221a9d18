/**
 * The whole cluster from any instance: every instance publishes its key
 * figures ({@link InstanceFigures}) to Redis every few seconds, and
 * `GET /metrics/cluster` on any instance renders every live instance's
 * figures as Prometheus text with an `instance` label. Behind a load balancer
 * one scrape then sees the whole cluster, which per-instance `/metrics` cannot
 * (a scrape reaches a random instance). Without Redis it renders this
 * instance alone.
 *
 * In Redis: `arena:figures:<processId>` holds the JSON figures with a TTL of
 * three intervals (an instance that dies drops out by itself), and the set
 * `arena:figures` lists who published; readers prune ids whose key expired.
 * An instance that shuts down removes its own entry at once.
 */
import type { Application } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { bearerMatches } from '../auth.ts';
import { FIGURE_METRICS, type FigureSampler, type InstanceFigures } from './figures.ts';
import { requestLog } from './requestLog.ts';

/** How often an instance publishes its figures by default, ms (`CLUSTER_VIEW_INTERVAL_MS`). */
export const PUBLISH_INTERVAL_MS = 5000;
/** Figures older than this many intervals are gone (the instance is dead or cut off from Redis). */
export const FIGURES_TTL_INTERVALS = 3;
/** How long a scrape waits for Redis before answering with this instance alone, ms. */
const READ_TIMEOUT_MS = 1500;

const SET_KEY = 'arena:figures';
const figuresKey = (instance: string): string => `arena:figures:${instance}`;

export interface ClusterViewOptions {
  sampler: FigureSampler;
  /** Cluster mode only: a connection of the view's own. */
  redis?: Redis;
  log: Logger;
  publishIntervalMs?: number;
}

/** What a scrape found: every live instance's figures, and whether Redis answered. */
export interface ClusterSnapshot {
  instances: InstanceFigures[];
  /** False when Redis was expected but did not answer: then only this instance is listed. */
  complete: boolean;
}

function isFigures(value: unknown): value is InstanceFigures {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.instance === 'string' &&
    FIGURE_METRICS.every((m) => typeof v[m.key] === 'number' && Number.isFinite(v[m.key]))
  );
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Publishes this instance's figures and reads everyone's. */
export class ClusterView {
  private latest?: InstanceFigures;
  private timer?: NodeJS.Timeout;
  private publishing = false;
  private readonly intervalMs: number;

  constructor(private readonly options: ClusterViewOptions) {
    this.intervalMs = options.publishIntervalMs ?? PUBLISH_INTERVAL_MS;
  }

  /** Take a first sample now, then one (published) every interval. Call once the server listens. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const { sampler, redis, log } = this.options;
    try {
      this.latest = await sampler.sample();
    } catch (error) {
      log.warn('cluster view: could not sample figures', { error });
      return;
    }
    // A Redis that is away queues commands; one publish in flight at a time keeps that queue short.
    if (!redis || this.publishing) return;
    this.publishing = true;
    const figures = this.latest;
    try {
      await redis
        .multi()
        .set(figuresKey(figures.instance), JSON.stringify(figures), 'PX', FIGURES_TTL_INTERVALS * this.intervalMs)
        .sadd(SET_KEY, figures.instance)
        .exec();
    } catch (error) {
      log.debug('cluster view: publish failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.publishing = false;
    }
  }

  /** Every live instance's figures; this instance's from its latest sample. */
  async snapshot(): Promise<ClusterSnapshot> {
    const own = this.latest ?? (await this.options.sampler.sample());
    const redis = this.options.redis;
    if (!redis) return { instances: [own], complete: true };
    try {
      const others = await withTimeout(this.readOthers(redis, own.instance), READ_TIMEOUT_MS);
      return { instances: [own, ...others].sort((a, b) => a.instance.localeCompare(b.instance)), complete: true };
    } catch {
      return { instances: [own], complete: false };
    }
  }

  private async readOthers(redis: Redis, self: string): Promise<InstanceFigures[]> {
    const ids = (await redis.smembers(SET_KEY)).filter((id) => id !== self);
    if (ids.length === 0) return [];
    const values = await redis.mget(ids.map(figuresKey));
    const gone: string[] = [];
    const out: InstanceFigures[] = [];
    values.forEach((raw, i) => {
      if (raw === null) {
        gone.push(ids[i]!);
        return;
      }
      try {
        const parsed: unknown = JSON.parse(raw);
        if (isFigures(parsed)) out.push(parsed);
      } catch {
        // A malformed entry is skipped; its TTL removes it.
      }
    });
    if (gone.length > 0) await redis.srem(SET_KEY, ...gone);
    return out;
  }

  /** Stop publishing and remove this instance's entry (a clean exit leaves the view at once). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.options.sampler.close();
    const redis = this.options.redis;
    const self = this.latest?.instance;
    if (redis && self !== undefined) {
      await withTimeout(redis.multi().del(figuresKey(self)).srem(SET_KEY, self).exec(), 1000).catch(() => undefined);
    }
    redis?.disconnect();
  }
}

/** Escape a Prometheus label value (backslash, double quote, newline). */
function labelValue(text: string): string {
  return text.replace(/\\/gu, '\\\\').replace(/"/gu, '\\"').replace(/\n/gu, '\\n');
}

/** The snapshot in Prometheus text exposition format, one series per instance and figure. */
export function renderClusterMetrics(snapshot: ClusterSnapshot, nowMs: number = Date.now()): string {
  const lines: string[] = [
    '# HELP arena_cluster_instances Instances whose figures are live in the cluster view',
    '# TYPE arena_cluster_instances gauge',
    `arena_cluster_instances ${snapshot.instances.length}`,
    '# HELP arena_cluster_view_complete 1 when every instance could be read (Redis answered, or there is no Redis), 0 when only this instance is listed',
    '# TYPE arena_cluster_view_complete gauge',
    `arena_cluster_view_complete ${snapshot.complete ? 1 : 0}`,
  ];
  const labels = (f: InstanceFigures): string => `{instance="${labelValue(f.instance)}",host="${labelValue(f.host)}"}`;
  for (const metric of FIGURE_METRICS) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const f of snapshot.instances) lines.push(`${metric.name}${labels(f)} ${f[metric.key]}`);
  }
  lines.push(
    '# HELP arena_cluster_figures_age_seconds How old the instance figures are',
    '# TYPE arena_cluster_figures_age_seconds gauge',
  );
  for (const f of snapshot.instances)
    lines.push(`arena_cluster_figures_age_seconds${labels(f)} ${Math.max(0, (nowMs - f.sampledAtMs) / 1000)}`);
  return `${lines.join('\n')}\n`;
}

/** Serve `GET /metrics/cluster` (behind `token` when set). */
export function mountClusterView(app: Application, view: ClusterView, token: string | undefined, log: Logger): void {
  app.get('/metrics/cluster', async (req, res) => {
    if (token !== undefined && !bearerMatches(req.get('authorization'), token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'metrics need a bearer token (METRICS_TOKEN)' });
      return;
    }
    const snapshot = await view.snapshot();
    if (!snapshot.complete) requestLog(res, log).warn('cluster view: Redis did not answer; listing this instance only');
    res.status(200).type('text/plain; version=0.0.4; charset=utf-8').send(renderClusterMetrics(snapshot));
  });
}
