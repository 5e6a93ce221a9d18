/**
 * The bot load tester against a cluster: three instances on Redis behind
 * nginx, the CLI in its own process, and one instance drained (SIGTERM) in
 * the middle of the run. The run must pass with no bot error: every bot of
 * the drained instance follows its room to another instance, and the bots
 * whose sockets ran through it reconnect.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BotReport } from '../../bots/report.ts';
import { roomCaches } from '../../harness/cluster.ts';
import { sleep, waitFor } from '../../harness/net.ts';
import { useCluster } from '../helpers/clusterFixture.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BOTS = 12;

describe('bots against three instances behind nginx, one drained mid-run', () => {
  const cluster = useCluster({ names: ['A', 'B', 'C'], env: { MAX_PLAYERS: '4', ROUND_DURATION_MS: '600000' } });
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'arena-bots-cluster-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes with every bot playing to the end and no error', async (t) => {
    const reportDir = path.join(dir, 'report');
    const args = [
      '--import',
      'tsx',
      'bots/cli.ts',
      '--url',
      cluster.nginx.url,
      '--bots',
      String(BOTS),
      '--duration',
      '9',
      '--ramp',
      '1',
    ];
    for (const i of cluster.instances) args.push('--metrics-url', `${i.url}/metrics`);
    args.push('--report-dir', reportDir, '--progress', 'none', '--slo', 'errors=0,state_violations=0');
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    // Once every bot plays, drain the instance that hosts the most of them.
    let owners = new Map<string, number>();
    await waitFor(
      async () => {
        owners = new Map();
        let clients = 0;
        for (const room of (await roomCaches(cluster.redis.client)).values()) {
          if (room.name !== 'arena') continue;
          clients += room.clients;
          owners.set(room.processId, (owners.get(room.processId) ?? 0) + room.clients);
        }
        return clients === BOTS;
      },
      'every bot in a room',
      10_000,
      100,
    );
    assert.ok(owners.size >= 2, 'the bots play on several instances');
    const victim = cluster.instances.reduce((a, b) =>
      (owners.get(b.processId) ?? 0) > (owners.get(a.processId) ?? 0) ? b : a,
    );
    await sleep(1500);
    await victim.kill('SIGTERM');
    assert.equal(victim.child.exitCode, 0, 'the drained instance exits 0');
    t.diagnostic(`drained an instance with ${owners.get(victim.processId)} bots`);

    const code = await exited;
    const report = JSON.parse(await readFile(path.join(reportDir, 'report.json'), 'utf8')) as BotReport;
    assert.equal(code, 0, `the run passes; errors: ${JSON.stringify(report.summary.errorSamples)}\n${output}`);
    const s = report.summary;
    assert.equal(s.bots.connectedAtEnd, BOTS, 'every bot still plays at the end');
    assert.equal(s.bots.errors, 0);
    assert.equal(s.bots.joinErrors, 0);
    assert.ok(
      s.bots.reconnects >= owners.get(victim.processId)!,
      `every bot of the drained instance moved (${s.bots.reconnects} reconnects)`,
    );
    assert.ok(s.bots.rooms >= 3, 'bots spread over the rooms of several instances');
  });
});
