/**
 * The cluster view through a load balancer: three real instances behind nginx
 * (round robin, no affinity) with a private Redis. Any scrape of
 * `/metrics/cluster` through nginx, whichever instance answers, lists all
 * three with their own figures; a drained instance leaves the view at once,
 * a killed one within its figures' TTL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import { parsePrometheusText, sumOf, type Scrape } from '../../common/prometheus.ts';
import { FIGURE_METRICS } from '../../server/ops/figures.ts';
import type { Instance, Nginx } from '../../harness/cluster.ts';
import { waitFor } from '../../harness/net.ts';
import { useCluster } from '../helpers/clusterFixture.ts';

const TOKEN = 'cluster-view-e2e-token';
const ADMIN_TOKEN = 'cluster-admin-token';
const INTERVAL_MS = 1000;
const PLAYERS = 12;

async function scrapeThrough(nginx: Nginx): Promise<{ scrape: Scrape; answeredBy: string }> {
  const res = await fetch(`${nginx.url}/metrics/cluster`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  return { scrape: parsePrometheusText(text), answeredBy: res.headers.get('x-upstream') ?? '' };
}

const instancesIn = (s: Scrape): string[] =>
  (s.get('arena_cluster_ccu')?.samples ?? []).map((x) => x.labels.instance!).sort();

describe('cluster view and monitor through a load balancer (3 instances)', () => {
  const rooms: Room[] = [];
  const cluster = useCluster({
    mode: 'redis',
    names: ['A', 'B', 'C'],
    env: {
      METRICS_TOKEN: TOKEN,
      CLUSTER_VIEW_INTERVAL_MS: String(INTERVAL_MS),
      MAX_PLAYERS: '4',
      ADMIN_TOKEN: ADMIN_TOKEN,
    },
    beforeStop: async () => {
      await Promise.all(rooms.map((r) => (r.connection.isOpen ? r.leave().catch(() => undefined) : undefined)));
    },
  });

  it('needs the metrics token through the load balancer too', async () => {
    assert.equal((await fetch(`${cluster.nginx.url}/metrics/cluster`)).status, 401);
  });

  it('shows every instance and every player from any instance', async () => {
    const client = new Client(cluster.nginx.url);
    for (let i = 0; i < PLAYERS; i++) rooms.push(await client.joinOrCreate('arena', { name: `P${i}` }));
    const ids = cluster.instances.map((i) => i.processId).sort();
    // Several scrapes in a row: round robin sends each to a different instance.
    await waitFor(
      async () => {
        const views = await Promise.all([0, 1, 2].map(() => scrapeThrough(cluster.nginx)));
        return views.every(
          ({ scrape }) =>
            JSON.stringify(instancesIn(scrape)) === JSON.stringify(ids) &&
            sumOf(scrape, 'arena_cluster_ccu') === PLAYERS,
        );
      },
      'every scrape lists the three instances and all players',
      15_000,
      250,
    );

    for (let n = 0; n < 3; n++) {
      const { scrape } = await scrapeThrough(cluster.nginx);
      assert.equal(sumOf(scrape, 'arena_cluster_instances'), 3);
      assert.equal(sumOf(scrape, 'arena_cluster_view_complete'), 1);
      for (const m of FIGURE_METRICS)
        assert.deepEqual((scrape.get(m.name)?.samples ?? []).map((x) => x.labels.instance).sort(), ids, m.name);
      // Round robin and locality-first placement open rooms on every instance (see test/e2e/cluster.test.ts).
      assert.equal(
        ids.reduce((sum, id) => sum + sumOf(scrape, 'arena_cluster_ccu', { instance: id }), 0),
        PLAYERS,
        'every player counted once',
      );
      for (const id of ids) assert.ok(sumOf(scrape, 'arena_cluster_rooms', { instance: id }) >= 1, `a room on ${id}`);
      assert.ok(
        sumOf(scrape, 'arena_cluster_forwarded_connections_active') > 0,
        'round robin sent some sockets to non-owners',
      );
      const share = sumOf(scrape, 'arena_cluster_forwarded_share');
      assert.ok(share > 0 && share <= 3, `forwarded shares are fractions (${share})`);
      for (const id of ids)
        assert.ok(
          sumOf(scrape, 'arena_cluster_tick_p99_seconds', { instance: id }) <
            sumOf(scrape, 'arena_cluster_tick_budget_seconds', { instance: id }),
        );
    }
  });

  it('lists the rooms of every instance in the Colyseus monitor, from any instance', async () => {
    const ids = cluster.instances.map((i) => i.processId).sort();
    const ownRooms = new Set(rooms.map((r) => r.roomId));
    for (let n = 0; n < 3; n++) {
      const res = await fetch(`${cluster.nginx.url}/monitor/api`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        rooms: Array<{ roomId: string; name: string; clients: number; processId: string }>;
      };
      const arena = body.rooms.filter((r) => r.name === 'arena');
      assert.deepEqual(new Set(arena.map((r) => r.roomId)), ownRooms, 'every arena room, whichever instance holds it');
      assert.deepEqual([...new Set(arena.map((r) => r.processId))].sort(), ids, 'rooms on all three instances');
      assert.equal(
        arena.reduce((sum, r) => sum + r.clients, 0),
        PLAYERS,
      );
    }
    // Inspecting a room works whichever instance the request reaches (a remote room call).
    for (const roomId of ownRooms) {
      const res = await fetch(`${cluster.nginx.url}/monitor/api/room?roomId=${encodeURIComponent(roomId)}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.equal(res.status, 200);
      assert.equal(
        ((await res.json()) as { clients: unknown[] }).clients.length,
        rooms.filter((r) => r.roomId === roomId).length,
      );
    }
    assert.equal((await fetch(`${cluster.nginx.url}/monitor/api`)).status, 401);
  });

  it('drops a drained instance at once and a killed one within its TTL', async () => {
    // Players leave first: this test is about the view, not about players following a hand-off.
    await Promise.all(rooms.splice(0).map((r) => r.leave()));
    const [a, b, c] = cluster.instances as [Instance, Instance, Instance];
    await a.kill('SIGTERM');
    await waitFor(
      async () => !instancesIn((await scrapeThrough(cluster.nginx)).scrape).includes(a.processId),
      'drained instance gone',
      10_000,
      100,
    );
    await b.kill('SIGKILL');
    await waitFor(
      async () => {
        const { scrape } = await scrapeThrough(cluster.nginx);
        return JSON.stringify(instancesIn(scrape)) === JSON.stringify([c.processId]);
      },
      'killed instance gone once its figures expire',
      3 * INTERVAL_MS + 10_000,
      200,
    );
    const { scrape } = await scrapeThrough(cluster.nginx);
    assert.equal(sumOf(scrape, 'arena_cluster_instances'), 1);
  });
});
