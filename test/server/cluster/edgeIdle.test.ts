/**
 * What the edge costs when nothing needs to cross: players whose room is on
 * the instance they reached (what cookie affinity makes the common case) and
 * an edge whose sockets are all healthy. Neither may touch the channel: no
 * operation queued, no end-of-turn flush scheduled, no message sent. The
 * cluster is real (its own Redis, the app with `REDIS_URL`, real SDK
 * clients); the counts come from spies on the edge's own classes.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it, mock } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import WebSocket from 'ws';
import { MemoryHub } from '../../../server/cluster/edge/carrier.ts';
import { DirectCarrier } from '../../../server/cluster/edge/directCarrier.ts';
import { EdgeNode } from '../../../server/cluster/edge/edgeNode.ts';
import { Outbox } from '../../../server/cluster/edge/outbox.ts';
import { ChannelSender } from '../../../server/cluster/edge/sender.ts';
import { createLogger } from '../../../server/logger.ts';
import type { ArenaState } from '../../../shared/state.ts';
import { startRedis, stopAll, type RedisServer } from '../../../harness/cluster.ts';
import { sleep, waitFor } from '../../../harness/net.ts';
import { bootTestApp, type TestApp } from '../../helpers/app.ts';

const log = createLogger('silent');

/** Spies on every way into the edge channel; `calls()` sums them. */
function spyOnChannel(): { calls: () => Record<string, number> } {
  const spies = {
    open: mock.method(Outbox.prototype, 'open'),
    up: mock.method(Outbox.prototype, 'up'),
    upClose: mock.method(Outbox.prototype, 'upClose'),
    upError: mock.method(Outbox.prototype, 'upError'),
    down: mock.method(Outbox.prototype, 'down'),
    shut: mock.method(Outbox.prototype, 'shut'),
    schedule: mock.method(ChannelSender.prototype, 'schedule'),
    flush: mock.method(ChannelSender.prototype, 'flush'),
    directSend: mock.method(DirectCarrier.prototype, 'send'),
  };
  return {
    calls: () => Object.fromEntries(Object.entries(spies).map(([name, spy]) => [name, spy.mock.callCount()])),
  };
}

const none = (calls: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(calls).map((name) => [name, 0]));

describe('edge channel when nothing needs to cross', () => {
  afterEach(() => mock.restoreAll());

  describe('players on the instance that owns their room (cluster mode, direct carrier)', () => {
    let redis: RedisServer;
    let t: TestApp;
    const rooms: Room<unknown, ArenaState>[] = [];

    before(async () => {
      redis = await startRedis();
      t = await bootTestApp({ REDIS_URL: redis.url, FORWARD_MODE: 'direct', ROUND_DURATION_MS: '600000' });
    });

    after(async () => {
      for (const room of rooms) {
        room.reconnection.enabled = false;
        await Promise.race([room.leave().catch(() => undefined), sleep(1000)]);
      }
      await t.colyseus.shutdown();
      await stopAll();
    });

    it('play without queuing, flushing or sending anything on the edge channel', async () => {
      assert.ok(t.app.cluster, 'the app runs in cluster mode');
      const spies = spyOnChannel();
      const client = new Client(t.url);
      const first = await client.joinOrCreate<ArenaState>('arena', { name: 'P0' });
      rooms.push(first);
      for (let i = 1; i < 3; i++) rooms.push(await client.joinById<ArenaState>(first.roomId, { name: `P${i}` }));
      const patches = rooms.map(() => 0);
      rooms.forEach((room, i) => {
        room.onMessage('*', () => undefined);
        room.onStateChange(() => (patches[i]! += 1));
      });
      await waitFor(() => rooms.every((r) => r.state.players?.size === 3), 'everyone sees three players');
      const inputs = rooms.map((room) => room.input<{ moveX: number; moveY: number; aimRad: number; fire: boolean }>());
      const start = [...patches];
      await waitFor(
        () => {
          for (const input of inputs) {
            input.data.moveX = input.data.moveX === 1 ? -1 : 1;
            input.send();
          }
          return patches.every((n, i) => n - start[i]! >= 30);
        },
        'each player took 30 state patches while sending inputs',
        20_000,
      );
      assert.deepEqual(spies.calls(), none(spies.calls()), 'no edge channel work for local players');
      const stats = t.app.cluster.edgeStats!;
      assert.equal(stats.sent.size + stats.received.size, 0, 'no channel message either way');
      assert.equal(stats.edgeSockets + stats.remoteClients, 0);
    });
  });

  describe('an edge whose sockets all answer its pings', () => {
    let edge: EdgeNode;
    let server: http.Server;
    let client: WebSocket;

    before(async () => {
      const hub = new MemoryHub();
      hub.carrier('owner');
      edge = new EdgeNode(hub.carrier('edge'), log, { pingIntervalMs: 20 });
      server = http.createServer();
      server.on('upgrade', (req, socket, head) => edge.accept(req, socket, head, 'owner', '127.0.0.1'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/p/r?sessionId=s`);
      await new Promise<void>((resolve, reject) => {
        client.once('open', () => resolve());
        client.once('error', reject);
      });
      // Its OPEN has crossed: from here on nothing needs to.
      await waitFor(() => (edge.stats.sent.get('owner')?.messages ?? 0) === 1, 'the connection opened at the owner');
    });

    after(async () => {
      client.terminate();
      await edge.stop();
      server.closeAllConnections();
      server.close();
    });

    it('schedules no flush for its ping rounds', async () => {
      const spies = spyOnChannel();
      let pings = 0;
      client.on('ping', () => (pings += 1));
      await waitFor(() => pings >= 5, 'five ping rounds answered');
      // A flush the last round might have scheduled runs within this turn's immediates.
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.deepEqual(spies.calls(), none(spies.calls()), 'ping rounds touch nothing on the channel');
      assert.equal(edge.stats.sent.get('owner')?.messages, 1, 'nothing crossed after the OPEN');
      assert.equal(edge.stats.edgeSockets, 1, 'the socket is still held');
    });
  });
});
