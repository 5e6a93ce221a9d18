/**
 * A private three-node Redis Cluster on loopback (no replicas), for tests of
 * sharded pub/sub: what Memorystore for Redis Cluster offers, in miniature.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './net.ts';

export interface RedisCluster {
  /** `redis://127.0.0.1:<port>` of one node (any node answers for the cluster). */
  url: string;
  ports: number[];
  /** Which node (port) serves `key`'s slot. */
  nodeOf(key: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startRedisCluster(nodes = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arena-redis-cluster-'));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  for (let i = 0; i < nodes; i++) {
    const port = await freePort();
    ports.push(port);
    children.push(
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        {
          stdio: 'ignore',
        },
      ),
    );
  }
  const stop = async (): Promise<void> => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(
      children.map((child) =>
        child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r)),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const clients = ports.map(
      (port) =>
        new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 }),
    );
    for (const client of clients) client.on('error', () => undefined);
    await waitFor(
      async () => (await Promise.all(clients.map((c) => c.ping().catch(() => 'no')))).every((r) => r === 'PONG'),
      'cluster nodes answer',
      10_000,
      50,
    );
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await waitFor(
      async () =>
        (await Promise.all(clients.map((c) => c.cluster('INFO').catch(() => '') as Promise<string>))).every((info) =>
          info.includes('cluster_state:ok'),
        ),
      'the Redis cluster to be ok on every node',
      15_000,
      100,
    );
    const first = clients[0]!;
    return {
      url: `redis://127.0.0.1:${ports[0]}`,
      ports,
      async nodeOf(key: string) {
        const slot = (await first.cluster('KEYSLOT', key)) as number;
        const shards = await first.cluster('SLOTS');
        const owner = shards.find(([from, to]) => slot >= from && slot <= to);
        if (!owner?.[2]) throw new Error(`no node serves slot ${slot}`);
        return owner[2][1];
      },
      async stop() {
        for (const client of clients) client.disconnect();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
