/**
 * The forwarding hop under load, in both forward modes: clients that reach
 * instance A for a room that lives on instance B (real processes, a private
 * Redis) make 10,000 round trips with the room in total, and every answer
 * comes back exactly once and in order.
 *
 * Why several clients: the room cuts off any client sending more than 120
 * frames a second (its flood limit), so one client would need well over 80 s
 * for 10,000 round trips. Ten clients × 1,000 round trips keep each client
 * under the limit and put ten connections through the same hop at once (in
 * Redis mode they all share one publisher and one subscriber connection).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import {
  EchoProbe,
  forwardStats,
  roomCaches,
  startInstances,
  startRedis,
  stopAll,
  type ForwardMode,
  type Instance,
  type RedisServer,
} from '../../harness/cluster.ts';

const CLIENTS = 10;
const ROUND_TRIPS_EACH = 1000;
/** 8 probes in flight per burst, a burst at most every 100 ms: ≤ 80 frames/s per client. */
const BURST = 8;
const BURST_INTERVAL_MS = 100;

async function closeRooms(rooms: Room[]): Promise<void> {
  await Promise.all(
    rooms.map(async (room) => {
      room.reconnection.enabled = false;
      await Promise.race([room.leave(true).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    }),
  );
}

for (const mode of ['direct', 'redis'] as const satisfies readonly ForwardMode[]) {
  describe(`forwarding under load (${mode})`, () => {
    let redis: RedisServer;
    let a: Instance;
    let b: Instance;
    const rooms: Room[] = [];

    before(async () => {
      redis = await startRedis();
      [a, b] = (await startInstances(redis, mode, ['A', 'B'])) as [Instance, Instance];
    });

    after(async () => {
      await closeRooms(rooms);
      await stopAll();
    });

    it(`carries ${CLIENTS * ROUND_TRIPS_EACH} round trips through a non-owner instance without loss or reordering`, async () => {
      // The room's first player comes straight to B, so B (the less loaded
      // instance on a tie, being the one asked) creates and owns it.
      const ownerSide = await new Client(b.url).create('arena', { name: 'owner' });
      rooms.push(ownerSide);
      const listing = (await roomCaches(redis.client)).get(ownerSide.roomId);
      assert.equal(listing?.processId, b.processId, 'the room lives on B');

      const before = { a: await forwardStats(a), b: await forwardStats(b) };
      const forwarded: Room[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        const room = await new Client(a.url).joinById(ownerSide.roomId, { name: `via-a-${i}` });
        forwarded.push(room);
        rooms.push(room);
      }
      let drops = 0;
      for (const room of forwarded) room.onDrop(() => (drops += 1));

      const during = { a: await forwardStats(a), b: await forwardStats(b) };
      assert.equal(during.a.opened - before.a.opened, CLIENTS, 'A forwarded every client connection');
      assert.equal(during.a.active - before.a.active, CLIENTS, 'the forwarded connections are open');
      assert.equal(during.b.opened, before.b.opened, 'B owns the room and forwarded nothing');

      const probes = forwarded.map((room) => new EchoProbe(room));
      await Promise.all(probes.map((probe) => probe.sendPaced(ROUND_TRIPS_EACH, BURST, BURST_INTERVAL_MS)));

      const expected = Array.from({ length: ROUND_TRIPS_EACH }, (_, i) => i);
      let total = 0;
      for (const [i, probe] of probes.entries()) {
        assert.deepEqual(probe.received, expected, `client ${i}: every answer once, in the order sent`);
        assert.deepEqual(probe.strays, [], `client ${i}: no stray answers`);
        total += probe.received.length;
        probe.stop();
      }
      assert.equal(total, CLIENTS * ROUND_TRIPS_EACH);
      assert.equal(drops, 0, 'no forwarded connection dropped (a reconnect could hide a loss)');

      const afterRun = await forwardStats(a);
      assert.equal(afterRun.failed, before.a.failed, 'no forwarding failures');
      assert.equal(afterRun.active - before.a.active, CLIENTS, 'the same connections carried the whole run');
      for (const room of forwarded) assert.ok(room.connection.isOpen, 'still connected after the run');
    });
  });
}
