/**
 * `GET /metrics/cluster` on a single instance (no Redis): the instance's key
 * figures as valid Prometheus text with an `instance` label, following what
 * clients do, behind METRICS_TOKEN; plus the quantile and rendering helpers.
 * The multi-instance view is tested in test/e2e/cluster-view.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matchMaker } from '@colyseus/core';
import type { Room } from '@colyseus/sdk';
import { parsePrometheusText, sumOf, type Scrape } from '../../common/prometheus.ts';
import { renderClusterMetrics } from '../../server/ops/clusterView.ts';
import { FIGURE_METRICS, type InstanceFigures } from '../../server/ops/figures.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import type { ArenaState } from '../../shared/state.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

const TOKEN = 'cluster-view-token';

describe('renderClusterMetrics', () => {
  const figures = (instance: string, ccu: number): InstanceFigures => ({
    instance,
    host: 'box "1"\\a',
    ccu,
    rooms: 2,
    tickP99Seconds: 0.0012,
    tickBudgetSeconds: 1 / 30,
    eventLoopLagP99Seconds: 0.011,
    forwardedActive: 3,
    forwardedShare: 0.25,
    forwardedFailedTotal: 1,
    heapUsedBytes: 5e7,
    heapLiveBytes: 4e7,
    uptimeSeconds: 60,
    sampledAtMs: 1000,
  });

  it('renders every figure of every instance, labels escaped, as strict Prometheus text', () => {
    const text = renderClusterMetrics({ instances: [figures('a', 5), figures('b', 7)], complete: true }, 3000);
    const s = parsePrometheusText(text);
    assert.equal(sumOf(s, 'arena_cluster_instances'), 2);
    assert.equal(sumOf(s, 'arena_cluster_view_complete'), 1);
    for (const m of FIGURE_METRICS) {
      const family = s.get(m.name);
      assert.ok(family, `${m.name} rendered`);
      assert.equal(family.type, m.type);
      assert.deepEqual(
        family.samples.map((x) => x.labels.instance),
        ['a', 'b'],
      );
    }
    assert.equal(sumOf(s, 'arena_cluster_ccu'), 12);
    assert.equal(sumOf(s, 'arena_cluster_ccu', { instance: 'b' }), 7);
    assert.equal(s.get('arena_cluster_ccu')!.samples[0]!.labels.host, 'box "1"\\a');
    assert.equal(sumOf(s, 'arena_cluster_figures_age_seconds', { instance: 'a' }), 2);
  });
});

async function scrapeCluster(t: TestApp): Promise<Scrape> {
  const res = await fetch(`${t.url}/metrics/cluster`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/u);
  return parsePrometheusText(await res.text());
}

describe('GET /metrics/cluster on one instance (no Redis)', () => {
  let t: TestApp;
  const clients: Array<Room<ArenaRoom, ArenaState>> = [];

  before(async () => {
    t = await bootTestApp({ METRICS_TOKEN: TOKEN, CLUSTER_VIEW_INTERVAL_MS: '1000' });
  });
  after(async () => {
    await Promise.all(clients.map((c) => (c.connection.isOpen ? c.leave() : undefined)));
    await t.colyseus.shutdown();
  });

  it('needs the metrics token when one is set', async () => {
    const res = await fetch(`${t.url}/metrics/cluster`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(
      (await fetch(`${t.url}/metrics/cluster`, { headers: { authorization: 'Bearer wrong-token-x' } })).status,
      401,
    );
  });

  it('lists this instance alone, labelled with its processId', async () => {
    const s = await scrapeCluster(t);
    assert.equal(sumOf(s, 'arena_cluster_instances'), 1);
    assert.equal(sumOf(s, 'arena_cluster_view_complete'), 1);
    for (const m of FIGURE_METRICS) {
      const samples = s.get(m.name)?.samples ?? [];
      assert.equal(samples.length, 1, `${m.name}: one series`);
      assert.equal(samples[0]!.labels.instance, matchMaker.processId);
    }
    assert.ok(Math.abs(sumOf(s, 'arena_cluster_tick_budget_seconds') - 1 / 30) < 1e-12);
    assert.ok(sumOf(s, 'arena_cluster_heap_used_bytes') > 1e6);
    assert.equal(sumOf(s, 'arena_cluster_forwarded_share'), 0);
  });

  it('follows players: CCU, rooms and a tick p99 within the budget while a room runs', async () => {
    const alice = await t.colyseus.sdk.joinOrCreate<ArenaRoom>('arena', { name: 'Alice' });
    clients.push(alice);
    clients.push(await t.colyseus.sdk.joinById<ArenaRoom>(alice.roomId, { name: 'Bob' }));
    let s: Scrape | undefined;
    await waitFor(
      async () => {
        s = await scrapeCluster(t);
        return sumOf(s, 'arena_cluster_ccu') === 2 && sumOf(s, 'arena_cluster_tick_p99_seconds') > 0;
      },
      'the next sample shows two players and ticks',
      10_000,
      200,
    );
    assert.ok(sumOf(s!, 'arena_cluster_rooms') >= 1);
    const p99 = sumOf(s!, 'arena_cluster_tick_p99_seconds');
    assert.ok(p99 < 1 / 30, `a two-player step takes far less than the budget (p99 ${p99} s)`);
    assert.ok(sumOf(s!, 'arena_cluster_event_loop_lag_p99_seconds') > 0);
    assert.ok(sumOf(s!, 'arena_cluster_figures_age_seconds') <= 5, 'figures are fresh');

    await Promise.all(clients.splice(0).map((c) => c.leave()));
    await waitFor(async () => sumOf(await scrapeCluster(t), 'arena_cluster_ccu') === 0, 'CCU back to 0', 10_000, 200);
  });
});

describe('GET /metrics/cluster off with METRICS_ENABLED=false', () => {
  it('answers 404', async () => {
    const t = await bootTestApp({ METRICS_ENABLED: 'false' });
    try {
      assert.equal((await fetch(`${t.url}/metrics/cluster`)).status, 404);
    } finally {
      await t.colyseus.shutdown();
    }
  });
});
