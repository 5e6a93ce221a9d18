/**
 * Bots that outgrow one process, end to end against the real app: a run on
 * two worker threads with stages gives one merged live line and one report;
 * two shards run as separate processes and `npm run bots:merge` makes one
 * report of them. The Cloud Run Jobs manifest and the bots image are checked
 * too.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { matchMaker } from '@colyseus/core';
import { parse } from 'yaml';
import type { BotReport } from '../../bots/report.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { parseDockerfile } from '../helpers/dockerfile.ts';
import { runScript } from '../helpers/runScript.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Highest CCU the server reached while `work` ran (sampled every 50 ms). */
async function peakCcuDuring<T>(work: Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, matchMaker.stats.local.ccu)), 50);
  try {
    return { result: await work, peak };
  } finally {
    clearInterval(timer);
  }
}

const readReport = async (dir: string): Promise<BotReport> =>
  JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as BotReport;

describe('bots scaled out', () => {
  let t: TestApp;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'arena-bots-scale-'));
  });
  // A fresh server per test: seats held for a reconnection from an earlier test would count in its CCU.
  beforeEach(async () => {
    t = await bootTestApp();
  });
  afterEach(async () => {
    await t.colyseus.shutdown();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs stages on two worker threads with one merged live line and one report', async () => {
    const reportDir = path.join(dir, 'workers');
    const { result, peak } = await peakCcuDuring(
      runScript('bots/cli.ts', [
        '--url',
        t.url,
        '--workers',
        '2',
        '--stages',
        '2s:8,8s:8,2s:0',
        '--progress',
        'lines',
        '--report-dir',
        reportDir,
        '--slo',
        'errors=0',
      ]),
    );
    assert.equal(result.code, 0, `exit 0 expected\n${result.stdout}\n${result.stderr}`);
    assert.ok(peak >= 8, `the server saw both workers' bots at once (peak CCU ${peak})`);
    // One live line for the whole run (the target is the sum of both workers'), not one per worker.
    const lines = result.stdout.split('\n').filter((l) => /^t=\d+s bots /u.test(l));
    assert.ok(lines.length >= 1, result.stdout);
    assert.ok(
      lines.every((l) => /bots \d+\/[0-8] /u.test(l)) && lines.some((l) => / bots 8\/8 /u.test(l)),
      lines.join('\n'),
    );
    assert.equal((result.stdout.match(/Result: PASS/gu) ?? []).length, 1, 'one summary');
    assert.match(result.stdout, /Parts \(2\)/u);

    const report = await readReport(reportDir);
    const s = report.summary;
    assert.equal(report.options.workers, 2);
    assert.equal(s.bots.target, 8);
    assert.equal(s.bots.connectedMax, 8);
    assert.equal(s.bots.connectedAtEnd, 0, 'the last stage took every bot away');
    assert.equal(s.bots.joinErrors + s.bots.errors, 0);
    assert.equal(s.bots.rooms, 1, "both workers' bots share one room (counted once)");
    assert.deepEqual(
      report.parts?.map((p) => [p.name, p.target]),
      [
        ['worker 0', 4],
        ['worker 1', 4],
      ],
    );
    assert.ok(s.botProcess.cpuPercent !== null && s.botProcess.cpuPercent > 0, "the whole process's CPU is measured");
    assert.ok(s.server !== null && s.server.tickMs.count > 0, 'the first worker scraped the server');
    assert.ok(s.rttMs.count > 0 && s.updateIntervalMs.count > 0);
    const connected = report.series.map((p) => p.connected);
    assert.equal(Math.max(...connected), 8);
    assert.ok(connected.at(-1)! < 8, `ramping down shows in the series: ${connected.join(',')}`);
    assert.ok(existsSync(path.join(reportDir, 'report.html')));
  });

  it('runs two shards as separate processes and merges their reports into one', async () => {
    const shardDir = path.join(dir, 'shards', 'shard-{shard}');
    const args = ['--url', t.url, '--workers', '1', '--stages', '2s:6,8s:6', '--quiet', '--report-dir', shardDir];
    const { result, peak } = await peakCcuDuring(
      Promise.all([
        runScript('bots/cli.ts', [...args, '--shard', '0/2']),
        runScript('bots/cli.ts', args, { CLOUD_RUN_TASK_INDEX: '1', CLOUD_RUN_TASK_COUNT: '2' }),
      ]),
    );
    for (const r of result) assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const shards = await Promise.all([0, 1].map((i) => readReport(path.join(dir, 'shards', `shard-${i}`))));
    // CCU counts seats being taken too: a join retried after a client-side timeout on a busy machine adds one briefly.
    assert.ok(
      peak >= 6,
      `both shards' bots were in at once (peak CCU ${peak}, join attempts ${shards.map((r) => r.summary.bots.joinAttempts).join(' + ')})`,
    );
    assert.deepEqual(
      shards.map((r) => r.summary.bots.target),
      [3, 3],
    );

    const mergedDir = path.join(dir, 'merged');
    const merge = await runScript('bots/merge-cli.ts', [
      path.join(dir, 'shards', 'shard-0', 'report.json'),
      path.join(dir, 'shards', 'shard-1', 'report.json'),
      '--report-dir',
      mergedDir,
    ]);
    assert.equal(merge.code, 0, `${merge.stdout}\n${merge.stderr}`);
    assert.match(merge.stdout, /Result: PASS/u);
    const merged = await readReport(mergedDir);
    assert.equal(merged.summary.bots.target, 6);
    assert.equal(merged.summary.bots.connectedMax, 6);
    assert.equal(merged.summary.bots.rooms, 1);
    assert.equal(merged.parts?.length, 2);
    assert.equal(merged.summary.rttMs.count, shards[0]!.summary.rttMs.count + shards[1]!.summary.rttMs.count);
    assert.match(readFileSync(path.join(mergedDir, 'report.html'), 'utf8'), /<html/iu);
  });

  it('is what npm run bots:merge runs', () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    assert.match(scripts['bots:merge'] ?? '', /bots\/merge-cli\.ts$/u);
  });

  it('bots:merge refuses what is not a report, with exit 2', async () => {
    const res = await runScript('bots/merge-cli.ts', [
      path.join(ROOT, 'package.json'),
      '--report-dir',
      path.join(dir, 'never'),
    ]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /is not an arena-bots report/u);
    assert.equal((await runScript('bots/merge-cli.ts', [])).code, 2);
  });
});

describe('ops/bots-job.yaml (Cloud Run Jobs) and ops/bots.Dockerfile', () => {
  // biome-ignore lint/suspicious/noExplicitAny: parsed YAML is untyped; the assertions below are its checks
  const job = parse(readFileSync('ops/bots-job.yaml', 'utf8')) as Record<string, any>;
  const taskSpec = job.spec?.template?.spec;
  const container = taskSpec?.template?.spec?.containers?.[0];

  it('is a Cloud Run Job running parallel tasks', () => {
    assert.equal(job.apiVersion, 'run.googleapis.com/v1');
    assert.equal(job.kind, 'Job');
    assert.ok(taskSpec.taskCount >= 2);
    assert.equal(taskSpec.parallelism, taskSpec.taskCount, 'all shards run at once');
    assert.equal(taskSpec.template.spec.maxRetries, 0);
  });

  it('runs the bots with valid options, each task taking its shard from the task index', () => {
    const args = container.args as string[];
    // The manifest's own arguments must parse, as a task would parse them.
    const env = { CLOUD_RUN_TASK_INDEX: '1', CLOUD_RUN_TASK_COUNT: String(taskSpec.taskCount) };
    return import('../../bots/options.ts').then(({ parseOptions }) => {
      const o = parseOptions(args, false, new Date(), env);
      assert.deepEqual(o.shard, { index: 1, count: taskSpec.taskCount });
      assert.ok(!args.includes('--shard'), 'the shard comes from the environment');
      assert.equal(o.reportDir, '/reports/latest/shard-1');
      assert.ok(
        o.metricsUrls.every((u) => u.endsWith('/metrics/cluster')),
        'the server side through the load balancer',
      );
      const mount = container.volumeMounts.find((m: { mountPath: string }) => o.reportDir!.startsWith(m.mountPath));
      assert.ok(mount, 'reports go to a mounted volume');
      const volume = taskSpec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
      assert.equal(volume.csi.driver, 'gcsfuse.run.googleapis.com');
    });
  });

  it('runs an image built from ops/bots.Dockerfile whose entry point is the bots CLI', () => {
    const [stage] = parseDockerfile('ops/bots.Dockerfile');
    const entry = stage!.instructions.find((i) => i.op === 'ENTRYPOINT');
    const argv = JSON.parse(entry!.args) as string[];
    assert.ok(existsSync(argv.at(-1)!), `${argv.at(-1)} exists`);
    assert.match(stage!.image, /^node:22/u);
    assert.ok(stage!.instructions.some((i) => i.op === 'COPY' && i.args.includes('bots')));
    assert.ok(stage!.instructions.some((i) => i.op === 'USER' && i.args !== 'root'));
  });
});
