/**
 * The instance registry's lookup, on a real Redis: process ids come from
 * clients' URLs, so looking up ids that name no instance must cost neither
 * memory nor Redis round trips, while real instances (new ones included)
 * are still found.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { InstanceRegistry, type InstanceInfo } from '../../server/cluster/registry.ts';
import { createLogger } from '../../server/logger.ts';
import { startRedis, stopAll, type RedisServer } from '../../harness/cluster.ts';
import { waitFor } from '../../harness/net.ts';

const log = createLogger('silent', { service: 'test' });
const info = (processId: string, port: number): InstanceInfo => ({
  processId,
  address: `127.0.0.1:${port}`,
  port,
  startedAtEpochMs: Date.now(),
  draining: false,
  maxRooms: 10,
});

async function commandCalls(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  const line = stats.split('\r\n').find((l) => l.startsWith(`cmdstat_${command}:`));
  return line ? Number(/calls=(\d+)/u.exec(line)![1]) : 0;
}

describe('InstanceRegistry.lookup', () => {
  let redis: RedisServer;
  const connections: Redis[] = [];
  const registries: InstanceRegistry[] = [];
  const connect = (): Redis => {
    const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    connections.push(c);
    return c;
  };
  const start = async (processId: string, port: number): Promise<InstanceRegistry> => {
    const registry = new InstanceRegistry(connect(), info(processId, port), log, { heartbeatMs: 200, ttlMs: 800 });
    registries.push(registry);
    await registry.start();
    return registry;
  };

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const r of registries) await r.stop();
    for (const c of connections) c.disconnect();
    await stopAll();
  });

  it('finds live peers, and answers unknown ids without caching them or asking Redis for each', async () => {
    const a = await start('instA', 1001);
    await start('instB', 1002);
    await waitFor(async () => (await a.lookup('instB'))?.port === 1002, 'A to find B');
    const getsBefore = await commandCalls(redis.client, 'get');
    const membersBefore = await commandCalls(redis.client, 'smembers');
    const started = Date.now();
    for (let i = 0; i < 20_000; i++) assert.equal(await a.lookup(randomBytes(6).toString('base64url')), undefined);
    const elapsedMs = Date.now() - started;
    assert.ok(a.cachedEntries <= 2, `${a.cachedEntries} cache entries after 20,000 unknown ids`);
    assert.equal((await commandCalls(redis.client, 'get')) - getsBefore, 0, 'no per-id Redis GET for unknown ids');
    // The member set is read at most every 250 ms on behalf of unknown ids (plus the heartbeat's own reads).
    const memberReads = (await commandCalls(redis.client, 'smembers')) - membersBefore;
    assert.ok(
      memberReads <= Math.ceil(elapsedMs / 250) + 2 * Math.ceil(elapsedMs / 200) + 4,
      `${memberReads} SMEMBERS in ${elapsedMs} ms`,
    );
    assert.equal((await a.lookup('instB'))?.port, 1002, 'real peers are still found');
  });

  it('finds an instance that joined after the last member read', async () => {
    const a = registries[0]!;
    await start('instC', 1003);
    await waitFor(async () => (await a.lookup('instC'))?.port === 1003, 'A to find the new instance C', 3000);
  });
});
