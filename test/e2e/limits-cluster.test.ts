/**
 * Anonymous-load limits across real instances sharing a real Redis: the
 * per-address matchmaking limit is one allowance for the whole cluster, room
 * placement moves on from instances at their room cap, and WebSocket
 * upgrades naming process ids of no instance cost a non-owner neither Redis
 * round trips nor memory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import {
  roomCaches,
  startInstances,
  startRedis,
  stopAll,
  type Instance,
  type RedisServer,
} from '../../harness/cluster.ts';

async function create(
  instance: Instance,
  address: string,
): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${instance.url}/matchmake/create/arena`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ name: 'flood' }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function commandCalls(redis: RedisServer, command: string): Promise<number> {
  const stats = await redis.client.info('commandstats');
  const line = stats.split('\r\n').find((l) => l.startsWith(`cmdstat_${command}:`));
  return line ? Number(/calls=(\d+)/u.exec(line)![1]) : 0;
}

async function heapLiveBytes(instance: Instance): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('arena_heap_live_bytes '));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

describe('limits across a cluster', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;

  before(async () => {
    redis = await startRedis();
    [a, b] = await startInstances(redis, 'direct', ['A', 'B'], { MAX_ROOMS: '1', JOIN_RATE_LIMIT: '4' });
  });
  after(async () => {
    await stopAll();
  });

  it('counts one address against one allowance, whichever instance it reaches', async () => {
    const address = '203.0.113.31';
    const statuses: number[] = [];
    // Alternating instances, as a balancer without affinity would: the limit is 4 in all.
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await fetch(`${(i % 2 === 0 ? a : b).url}/matchmake/joinById/arena`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
            body: JSON.stringify({ name: 'x' }),
          })
        ).status,
      );
    assert.deepEqual(
      statuses.map((s) => s === 429),
      [false, false, false, false, true, true],
      statuses.join(' '),
    );
  });

  it('places new rooms on instances below their cap, then answers 503 with Retry-After', async () => {
    const first = await create(a, '203.0.113.40');
    const second = await create(a, '203.0.113.41');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(second.status, 200, 'A is full: the second room goes to B');
    const owners = [first, second].map((r) => String(r.body.processId)).sort();
    assert.deepEqual(owners, [a.processId, b.processId].sort(), 'one room on each instance');
    for (const via of [a, b]) {
      const refused = await create(via, '203.0.113.42');
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal(refused.retryAfter, '5');
    }
    const arena = [...(await roomCaches(redis.client)).values()].filter((r) => r.name === 'arena');
    assert.equal(arena.length, 2, 'the cluster holds MAX_ROOMS rooms per instance, no more');
  });

  it('answers upgrades naming unknown process ids without a Redis round trip each', async (t) => {
    const upgrade = (): Promise<void> =>
      new Promise((resolve) => {
        const ws = new WebSocket(
          `ws://127.0.0.1:${a.port}/${randomBytes(6).toString('base64url')}/${randomBytes(6).toString('base64url')}?sessionId=x`,
        );
        const done = (): void => {
          ws.removeAllListeners();
          ws.on('error', () => undefined);
          ws.terminate();
          resolve();
        };
        ws.once('close', done);
        ws.once('error', done);
        ws.once('unexpected-response', done);
      });
    const getsBefore = await commandCalls(redis, 'get');
    const heapBefore = await heapLiveBytes(a);
    const total = 6000;
    let sent = 0;
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        while (sent < total) {
          sent += 1;
          await upgrade();
        }
      }),
    );
    const gets = (await commandCalls(redis, 'get')) - getsBefore;
    t.diagnostic(
      `${total} unknown-owner upgrades: ${gets} Redis GETs; live heap ${(heapBefore / 1e6).toFixed(1)} → ${((await heapLiveBytes(a)) / 1e6).toFixed(1)} MB`,
    );
    assert.ok(gets < total / 20, `${gets} Redis GETs for ${total} upgrades naming unknown instances`);
    assert.equal((await fetch(`${a.url}/healthz`)).status, 200);
  });
});
