/**
 * The edge channel on sharded pub/sub, on real processes: two instances in
 * redis mode whose edge channel rides a private three-node Redis Cluster
 * (`EDGE_REDIS_CLUSTER_URL`), matchmaking on a plain Redis. A player whose
 * socket reaches the instance that does not own its room plays normally.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import type { ArenaState } from '../../shared/state.ts';
import {
  forwardStats,
  roomCaches,
  startInstances,
  startRedis,
  stopAll,
  type Instance,
  type RedisServer,
} from '../../harness/cluster.ts';
import { sleep, waitFor } from '../../harness/net.ts';
import { startRedisCluster, type RedisCluster } from '../../harness/redisCluster.ts';

describe('edge channel on sharded pub/sub (Redis Cluster)', () => {
  let redis: RedisServer;
  let shards: RedisCluster;
  let a: Instance;
  let b: Instance;
  const rooms: Room<unknown, ArenaState>[] = [];

  before(async () => {
    redis = await startRedis();
    shards = await startRedisCluster(3);
    [a, b] = (await startInstances(redis, 'redis', ['A', 'B'], {
      EDGE_REDIS_CLUSTER_URL: shards.url,
      ROUND_DURATION_MS: '600000',
    })) as [Instance, Instance];
  });

  after(async () => {
    for (const room of rooms) {
      room.reconnection.enabled = false;
      await Promise.race([room.leave(true).catch(() => undefined), sleep(1000)]);
    }
    await stopAll();
    await shards?.stop();
  });

  it("carries a player through the non-owner instance: joins, sees the owner's player, moves", async () => {
    const host = await new Client(b.url).create<ArenaState>('arena', { name: 'Host' });
    rooms.push(host);
    assert.equal((await roomCaches(redis.client)).get(host.roomId)?.processId, b.processId, 'the room lives on B');
    const guest = await new Client(a.url).joinById<ArenaState>(host.roomId, { name: 'Guest' });
    rooms.push(guest);
    await waitFor(
      () => guest.state.players?.has(host.sessionId) === true && host.state.players?.has(guest.sessionId) === true,
      'both see each other',
    );
    assert.equal((await forwardStats(a)).active, 1, "A holds the guest's socket at the edge");
    const x0 = host.state.players.get(guest.sessionId)!.x;
    const input = guest.input<{ moveX: number }>();
    for (let i = 0; i < 10; i++) {
      input.data.moveX = x0 > 400 ? -1 : 1;
      input.send();
    }
    await waitFor(() => host.state.players.get(guest.sessionId)!.x !== x0, 'the host sees the guest move');
    const channels = (await (await fetch(`${a.url}/metrics`)).text()).match(
      /^arena_edge_channel_messages_total\{peer="[^"]+",direction="in"\} (\d+)/mu,
    );
    assert.ok(channels && Number(channels[1]) > 0, 'A received edge messages from B');
  });
});
