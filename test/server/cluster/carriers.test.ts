/**
 * Every carrier behind the edge seam keeps the same promises: messages reach
 * the peer intact and in order, both ways, and a lost peer is reported. Run
 * against the in-memory hub, Redis pub/sub, sharded pub/sub on a real
 * three-node Redis Cluster, and direct TCP links on real HTTP servers.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, describe, it, mock } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { MemoryHub, type Carrier } from '../../../server/cluster/edge/carrier.ts';
import { DirectCarrier } from '../../../server/cluster/edge/directCarrier.ts';
import { decodeMessage, Op } from '../../../server/cluster/edge/protocol.ts';
import { RedisCarrier } from '../../../server/cluster/edge/redisCarrier.ts';
import { ChannelSender } from '../../../server/cluster/edge/sender.ts';
import { createLogger } from '../../../server/logger.ts';
import { startRedis, stopAll } from '../../../harness/cluster.ts';
import { startRedisCluster, type RedisCluster } from '../../../harness/redisCluster.ts';
import { waitFor } from '../../../harness/net.ts';

const log = createLogger('silent');

/** Collects what a carrier receives, per sender, and which peers it lost. */
function listen(carrier: Carrier): { got: Map<string, Buffer[]>; lost: string[] } {
  const got = new Map<string, Buffer[]>();
  const lost: string[] = [];
  carrier.onMessage((peer, message) => got.set(peer, [...(got.get(peer) ?? []), Buffer.from(message)]));
  carrier.onPeerLost((peer) => lost.push(peer));
  return { got, lost };
}

/**
 * A private redis-server and a maker of started Redis carriers on it, each
 * with its own publisher and subscriber connections (closed after the test).
 */
async function privateRedis(cleanups: Array<() => Promise<void> | void>): Promise<{
  redis: Awaited<ReturnType<typeof startRedis>>;
  carrier: (id: string) => Promise<RedisCarrier>;
}> {
  const redis = await startRedis();
  const connect = (): Redis => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    cleanups.push(() => void client.disconnect());
    return client;
  };
  const carrier = async (id: string): Promise<RedisCarrier> => {
    const made = new RedisCarrier(id, connect(), connect(), log);
    await made.start();
    return made;
  };
  return { redis, carrier };
}

/** 300 messages of varied sizes each way, interleaved: all arrive, intact and in order. */
async function exchange(a: Carrier, b: Carrier): Promise<void> {
  const atA = listen(a);
  const atB = listen(b);
  const message = (from: string, i: number): Buffer =>
    Buffer.concat([Buffer.from(`${from}:${i}:`), Buffer.alloc((i * 37) % 5000, i % 251)]);
  for (let i = 0; i < 300; i++) {
    a.send(b.self, message(a.self, i));
    b.send(a.self, message(b.self, i));
  }
  await waitFor(
    () => (atB.got.get(a.self)?.length ?? 0) === 300 && (atA.got.get(b.self)?.length ?? 0) === 300,
    'every message arrives',
    10_000,
  );
  for (let i = 0; i < 300; i++) {
    assert.deepEqual(atB.got.get(a.self)![i], message(a.self, i), `message ${i} from ${a.self}`);
    assert.deepEqual(atA.got.get(b.self)![i], message(b.self, i), `message ${i} from ${b.self}`);
  }
}

describe('edge carriers', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await stopAll();
  });

  it('memory: delivers in order both ways and reports a killed peer', async () => {
    const hub = new MemoryHub();
    const a = hub.carrier('A');
    const b = hub.carrier('B');
    await exchange(a, b);
    const atA = listen(a);
    hub.kill('B');
    await waitFor(() => atA.lost.includes('B'), 'A hears that B is gone');
  });

  it('redis pub/sub: delivers in order both ways; a lost Redis connection loses every peer', async () => {
    const { redis, carrier } = await privateRedis(cleanups);
    const a = await carrier('A');
    const b = await carrier('B');
    await exchange(a, b);
    const atA = listen(a);
    await redis.kill();
    await waitFor(() => atA.lost.includes('B'), 'A drops B when Redis goes away');
  });

  it('redis pub/sub: a message nobody is subscribed to (the peer died or is not back yet) loses the peer', async () => {
    const { carrier } = await privateRedis(cleanups);
    const a = await carrier('A');
    const b = await carrier('B');
    await exchange(a, b);
    const atA = listen(a);
    await b.stop();
    a.send('B', Buffer.from('into the void'));
    await waitFor(() => atA.lost.includes('B'), 'A drops B when its message reaches no subscriber');
    // A peer listening again under the same name is reachable again.
    await exchange(a, await carrier('B'));
  });

  it('sharded pub/sub on a Redis Cluster: each channel on its own shard, delivered in order both ways', async () => {
    let cluster: RedisCluster;
    try {
      cluster = await startRedisCluster(3);
    } catch (error) {
      assert.fail(`could not start a local Redis Cluster: ${String(error)}`);
    }
    cleanups.push(() => cluster.stop());
    const port = cluster.ports[0]!;
    const connect = (): Cluster => {
      const client = new Cluster([{ host: '127.0.0.1', port }], { shardedSubscribers: true });
      client.on('error', () => undefined);
      cleanups.push(() => void client.disconnect());
      return client;
    };
    // Ids whose channels hash to different shards, so the test crosses shards.
    const ids = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
    const nodes = new Map<string, number>();
    for (const id of ids) nodes.set(id, await cluster.nodeOf(`arena:edge:${id}`));
    const first = ids[0]!;
    const second = ids.find((id) => nodes.get(id) !== nodes.get(first));
    assert.ok(second, 'two channels on different shards');
    const ca = connect();
    const cb = connect();
    const a = new RedisCarrier(first, ca, ca, log, true);
    const b = new RedisCarrier(second, cb, cb, log, true);
    await a.start();
    await b.start();
    await exchange(a, b);
  });

  /** Two direct carriers, `A` and `B`, each on its own real HTTP server, cleaned up after the suite. */
  async function directPair(): Promise<Array<{ carrier: DirectCarrier; server: http.Server; address: string }>> {
    const servers: Array<{ carrier: DirectCarrier; server: http.Server; address: string }> = [];
    const addresses = new Map<string, string>();
    for (const id of ['A', 'B']) {
      const carrier = new DirectCarrier(id, 'shared-secret', async (peer) => addresses.get(peer), log);
      const server = http.createServer((_req, res) => res.end());
      server.on('upgrade', (req, socket, head) => {
        if (DirectCarrier.isPeerUpgrade(req)) carrier.acceptUpgrade(req, socket, head);
        else socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      addresses.set(id, address);
      servers.push({ carrier, server, address });
      cleanups.push(async () => {
        await carrier.stop();
        server.closeAllConnections();
        server.close();
      });
    }
    return servers;
  }

  it('direct TCP: one authenticated link per pair, in order both ways; a wrong secret is refused; a closed peer is lost', async () => {
    const servers = await directPair();
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    await exchange(a.carrier, b.carrier);

    const refused = await fetch(`http://${b.address}/_arena/edge`, {
      headers: { connection: 'upgrade', upgrade: 'arena-edge', 'x-arena-peer': 'X', 'x-arena-secret': 'guess' },
    }).catch((e: unknown) => e);
    assert.ok(refused instanceof Error || (refused as Response).status === 403, 'a dial without the secret is refused');

    const atA = listen(a.carrier);
    await b.carrier.stop();
    await waitFor(() => atA.lost.includes('B'), 'A hears that B closed the link');
  });

  it('direct TCP: one write on the link for what waited for the dial, and one per turn after', async () => {
    const servers = await directPair();
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const atB = listen(b.carrier);
    const port = Number(b.address.split(':')[1]);
    // Writes that reach the link's socket (`_write`, or `_writev` for corked buffers): one per system call.
    // (`_writev` is optional on Writable's type; net.Socket has one.)
    const socketProto = net.Socket.prototype as net.Socket & Required<Pick<net.Socket, '_writev'>>;
    const writes = [mock.method(socketProto, '_write'), mock.method(socketProto, '_writev')];
    const onLink = (): number =>
      writes.reduce(
        (sum, spy) => sum + spy.mock.calls.filter((c) => (c.this as net.Socket).remotePort === port).length,
        0,
      );
    try {
      for (let i = 0; i < 20; i++) a.carrier.send('B', Buffer.from([i]));
      await waitFor(() => atB.got.get('A')?.length === 20, 'the messages sent while dialling arrive');
      assert.equal(onLink(), 2, 'the upgrade request, then the 20 waiting messages in one write');

      const sender = new ChannelSender(a.carrier, { sent: new Map(), fanoutFrames: 0, fanoutOps: 0 }, 0);
      const box = sender.outbox('B');
      for (let conn = 1; conn <= 50; conn++) {
        box.up(conn, Buffer.from([13, conn]));
        sender.schedule();
      }
      await waitFor(() => atB.got.get('A')?.length === 21, 'the turn crossed');
      const ops = decodeMessage(atB.got.get('A')![20]!);
      assert.equal(ops.filter((o) => o.op === Op.UP).length, 50, "one message carries the turn's 50 operations");
      assert.equal(onLink(), 3, 'in one write on the link');
    } finally {
      for (const spy of writes) spy.mock.restore();
    }
  });
});
