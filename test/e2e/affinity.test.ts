/**
 * Locality first, on real processes: three instances behind an nginx that
 * keeps each client on one instance by its own cookie (as App Engine's and
 * Cloud Run's session affinity keep a browser), a private Redis. Players
 * join their rooms where they land, so few sockets need the edge channel at
 * all; lone players are still matched together across instances.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import type { ArenaState } from '../../shared/state.ts';
import type { Instance } from '../../harness/cluster.ts';
import { sleep, waitFor } from '../../harness/net.ts';
import { useCluster } from '../helpers/clusterFixture.ts';

const MAX_PLAYERS = 4;
const PLAYERS = 24;

async function metric(instance: Instance, name: string): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+(?:\\.\\d+)?)`, 'mu').exec(text)?.[1] ?? 0);
}

describe('cookie affinity at the load balancer (redis carrier)', () => {
  const rooms: Room<unknown, ArenaState>[] = [];
  const cluster = useCluster({
    mode: 'redis',
    names: ['A', 'B', 'C'],
    env: { MAX_PLAYERS: String(MAX_PLAYERS), ROUND_DURATION_MS: '600000' },
    balancing: 'cookie',
    beforeStop: async () => {
      await Promise.all(
        rooms.map(async (room) => {
          room.reconnection.enabled = false;
          await Promise.race([room.leave(true).catch(() => undefined), sleep(1000)]);
        }),
      );
    },
  });

  it('matches two lone players on different instances into one room', async () => {
    // Cookies that hash to different instances: try names until two land apart.
    const first = await new Client(cluster.nginx.url, {
      headers: { cookie: 'arena_affinity=lone-0' },
    }).joinOrCreate<ArenaState>('arena', { name: 'Lone0' });
    rooms.push(first);
    for (let i = 1; i < 50; i++) {
      const client = new Client(cluster.nginx.url, { headers: { cookie: `arena_affinity=lone-${i}` } });
      const room = await client.joinOrCreate<ArenaState>('arena', { name: `Lone${i}` });
      rooms.push(room);
      assert.equal(room.roomId, first.roomId, 'a player alone in a room is joined before any new room opens');
      const edgeSockets = (await Promise.all(cluster.instances.map((x) => metric(x, 'arena_edge_sockets')))).reduce(
        (a, b) => a + b,
        0,
      );
      if (edgeSockets > 0) return; // this one reached another instance and still joined the lone player
      await room.leave(true);
      rooms.pop();
    }
    assert.fail('no cookie sent a player to another instance than the first');
  });

  it('keeps most players on the instance that owns their room', async (t) => {
    for (const room of rooms.splice(0)) await room.leave(true);
    await waitFor(
      async () => (await Promise.all(cluster.instances.map((i) => metric(i, 'arena_ccu')))).every((c) => c === 0),
      "the first test's players are gone",
    );
    for (let i = 0; i < PLAYERS; i++) {
      const client = new Client(cluster.nginx.url, { headers: { cookie: `arena_affinity=player-${i}` } });
      rooms.push(await client.joinOrCreate<ArenaState>('arena', { name: `P${i}` }));
    }
    await waitFor(() => rooms.every((r) => r.state.players?.has(r.sessionId)), 'every player sees itself');
    const edgeSockets = (await Promise.all(cluster.instances.map((i) => metric(i, 'arena_edge_sockets')))).reduce(
      (a, b) => a + b,
      0,
    );
    t.diagnostic(`${edgeSockets} of ${PLAYERS} sockets reach their room through another instance`);
    // Without locality (rooms on the least-loaded instance) about two thirds cross (16 of 24); matching lone
    // players while instances are quiet crosses a few (7 here with rooms of 4; the bench measures rooms of 16).
    assert.ok(
      edgeSockets < PLAYERS / 2,
      `${edgeSockets} of ${PLAYERS} sockets reach their room through another instance`,
    );
  });
});
