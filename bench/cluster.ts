/**
 * Over 300 lines on purpose: one benchmark read top to bottom (set-up,
 * interleaved rounds, report); its helpers live in harness/.
 *
 * `npm run bench:cluster`: what scaling out costs per player.
 *
 * In one run, for each load (the project's bots, 16 per room), it measures:
 * one instance; three instances behind the project's nginx (round robin, no
 * affinity) with the edge carried directly and over Redis; the same with the
 * old byte forwarding (an older build, run from a git worktree of
 * `BENCH_OLD_REF`); and three instances behind an nginx that keeps each bot on
 * one instance by its own cookie (as App Engine's and Cloud Run's affinity
 * keep a browser), new and old placement. For each: instance CPU per client
 * (Redis and nginx apart), the forwarded share, Redis messages and bytes per
 * second, RTT and input→update latency p50/p99 from the bots.
 *
 * Servers, Redis and nginx are pinned to core 0 and the bots to core 1
 * (taskset) when the machine has two cores. Writes bench/results-cluster.md
 * and bench/results-cluster.json. Env: BENCH_LOADS (default `90,150`),
 * BENCH_REPEATS (2), BENCH_SECONDS (whole bot run, 24), BENCH_RAMP (8),
 * BENCH_OLD_REF (the last commit with byte forwarding), BENCH_ONLY (labels separated by `;`),
 * BENCH_OUT (result file base name in bench/, default `results-cluster`),
 * BENCH_PROFILE=1 or `--profile` (one more run per setup with every instance profiled).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BotReport } from '../bots/report.ts';
import { contextSwitches, redisInfo, scrapeForwarded } from './clusterProbes.ts';
import { type Point, type ReportContext, type RunResult, writeResults } from './clusterReport.ts';
import { PROFILE_GROUPS, summarizeProfile, type CpuProfile, type ProfileGroup } from './profile.ts';
import {
  cpuTicks,
  startInstance,
  startInstances,
  startNginx,
  startRedis,
  stopAll,
  workerPids,
  type Balancing,
  type ForwardMode,
} from '../harness/cluster.ts';
import { sleep } from '../harness/net.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const LOADS = (process.env.BENCH_LOADS ?? '90,150').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
const RUN_S = Number(process.env.BENCH_SECONDS ?? 24);
const RAMP_S = Number(process.env.BENCH_RAMP ?? 8);
/** The last commit that forwarded connections byte for byte (before edge fan-out). */
const OLD_REF = process.env.BENCH_OLD_REF ?? '9260af8';
const ONLY = process.env.BENCH_ONLY?.split(';');
/** Base name of the result files in bench/: a partial run (BENCH_ONLY) can go beside the full one instead of over it. */
const OUT = process.env.BENCH_OUT ?? 'results-cluster';
if (!/^[\w-]+$/u.test(OUT)) throw new Error(`BENCH_OUT must be a file base name, got ${OUT}`);
/** After the measured runs, one profiled run per setup (new build) at the highest load: where instance CPU goes. */
const PROFILE = process.env.BENCH_PROFILE === '1' || process.argv.includes('--profile');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const PIN = os.cpus().length === 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const CONTEXT: ReportContext = {
  root: ROOT,
  loads: LOADS,
  repeats: REPEATS,
  runS: RUN_S,
  rampS: RAMP_S,
  oldRef: OLD_REF,
  pinned: PIN,
  out: OUT,
};

interface Setup {
  label: string;
  instances: 1 | 3;
  mode: ForwardMode;
  build: 'new' | 'old';
  balancing: Balancing;
  /** Instances without Redis that know nothing of each other: what three processes cost by themselves. */
  standalone?: boolean;
  env?: Record<string, string>;
}

const SETUPS: Setup[] = [
  { label: '1 instance', instances: 1, mode: 'direct', build: 'new', balancing: 'round-robin' },
  { label: '3 × edge, direct', instances: 3, mode: 'direct', build: 'new', balancing: 'round-robin' },
  { label: '3 × edge, redis', instances: 3, mode: 'redis', build: 'new', balancing: 'round-robin' },
  { label: '3 × old bytes, direct', instances: 3, mode: 'direct', build: 'old', balancing: 'round-robin' },
  { label: '3 × old bytes, redis', instances: 3, mode: 'redis', build: 'old', balancing: 'round-robin' },
  {
    label: '3 × edge, redis, no coalescing',
    instances: 3,
    mode: 'redis',
    build: 'new',
    balancing: 'round-robin',
    env: { EDGE_INPUT_COALESCE_MS: '0' },
  },
  { label: '3 × edge, direct, random LB', instances: 3, mode: 'direct', build: 'new', balancing: 'random' },
  { label: '3 × edge, redis, random LB', instances: 3, mode: 'redis', build: 'new', balancing: 'random' },
  { label: '3 × edge, direct, cookie affinity', instances: 3, mode: 'direct', build: 'new', balancing: 'cookie' },
  { label: '3 × edge, redis, cookie affinity', instances: 3, mode: 'redis', build: 'new', balancing: 'cookie' },
  { label: '3 × old bytes, redis, cookie affinity', instances: 3, mode: 'redis', build: 'old', balancing: 'cookie' },
  {
    label: '3 × standalone, cookie affinity',
    instances: 3,
    mode: 'direct',
    build: 'new',
    balancing: 'cookie',
    standalone: true,
  },
];

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

function pin(pid: number): void {
  if (PIN) spawnSync('taskset', ['-a', '-pc', '0', String(pid)], { stdio: 'ignore' });
}

/** A worktree of the old build, sharing this checkout's node_modules. */
function oldBuild(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arena-old-'));
  rmSync(dir, { recursive: true });
  execFileSync('git', ['worktree', 'add', '--detach', dir, OLD_REF], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

async function runOnce(
  setup: Setup,
  bots: number,
  oldRoot: string | undefined,
  profileDir?: string,
): Promise<RunResult> {
  const redis = await startRedis();
  pin(redis.pid);
  const names = setup.instances === 1 ? ['A'] : ['A', 'B', 'C'];
  const env = { LOG_LEVEL: 'error', ROUND_DURATION_MS: '600000', ...setup.env };
  const profileOf = (name: string): string => path.join(profileDir ?? '', `${name}.cpuprofile`);
  const instances =
    setup.standalone || profileDir
      ? await Promise.all(
          names.map((name) =>
            startInstance({
              name,
              redis,
              mode: setup.mode,
              env: profileDir ? { ...env, ARENA_PROFILE_OUT: profileOf(name) } : env,
              ...(setup.standalone ? { standalone: true } : {}),
              ...(profileDir ? { nodeArgs: ['--import', './bench/profileHook.ts'] } : {}),
            }),
          ),
        )
      : await startInstances(redis, setup.mode, names, env, setup.build === 'old' ? oldRoot : undefined);
  for (const instance of instances) pin(instance.pid);
  const nginx =
    setup.instances === 1
      ? undefined
      : await startNginx(
          instances.map((i) => i.port),
          setup.balancing,
        );
  const nginxPids = nginx ? [nginx.pid, ...workerPids(nginx.pid)] : [];
  for (const pid of nginxPids) pin(pid);
  const url = nginx?.url ?? instances[0]!.url;
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'arena-bench-bots-'));
  const args = [
    '--import',
    'tsx',
    'bots/cli.ts',
    '--url',
    url,
    '--bots',
    String(bots),
    '--duration',
    String(RUN_S),
    '--ramp',
    String(RAMP_S),
    '--no-metrics',
    '--progress',
    'none',
    '--report-dir',
    reportDir,
    '--chat-interval',
    '1000',
  ];
  const [command, commandArgs] = PIN ? ['taskset', ['-c', '1', NODE, ...args]] : [NODE, args];
  const botsChild = spawn(command, commandArgs, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let botErr = '';
  botsChild.stderr.on('data', (d: Buffer) => (botErr += d.toString()));
  const exited = new Promise<void>((resolve) => botsChild.once('exit', () => resolve()));

  // Measure from two seconds after the ramp to one second before the end.
  await sleep((RAMP_S + 2) * 1000);
  const windowS = RUN_S - RAMP_S - 3;
  const cpu0 = instances.map((i) => cpuTicks(i.pid));
  const redisCpu0 = cpuTicks(redis.pid);
  const nginxCpu0 = nginxPids.map((pid) => cpuTicks(pid));
  const botCpu0 = cpuTicks(botsChild.pid!);
  const switches0 = instances.reduce((sum, i) => sum + contextSwitches(i.pid), 0);
  const info0 = await redisInfo(redis);
  // bench/profileHook.ts: the first SIGWINCH starts the profiler, the second writes the profile.
  if (profileDir) for (const i of instances) i.child.kill('SIGWINCH');
  const t0 = performance.now();
  await sleep(windowS * 1000);
  const seconds = (performance.now() - t0) / 1000;
  if (profileDir) for (const i of instances) i.child.kill('SIGWINCH');
  const forwarded = await scrapeForwarded(instances);
  const ms = (ticks: number): number => (ticks / CLK_TCK) * 1000;
  const instanceMs = ms(instances.reduce((sum, i, k) => sum + cpuTicks(i.pid) - cpu0[k]!, 0));
  const redisMs = ms(cpuTicks(redis.pid) - redisCpu0);
  const nginxMs = ms(nginxPids.reduce((sum, pid, k) => sum + cpuTicks(pid) - nginxCpu0[k]!, 0));
  const botMs = ms(cpuTicks(botsChild.pid!) - botCpu0);
  const switches = instances.reduce((sum, i) => sum + contextSwitches(i.pid), 0) - switches0;
  const info1 = await redisInfo(redis);
  let profile: Record<ProfileGroup, number> | undefined;
  if (profileDir) {
    profile = Object.fromEntries(PROFILE_GROUPS.map((g) => [g, 0])) as Record<ProfileGroup, number>;
    for (const name of names) {
      const file = profileOf(name);
      const deadline = Date.now() + 30_000;
      while (!existsSync(file) && Date.now() < deadline) await sleep(100);
      const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
      for (const g of summary.groups) profile[g.group] += g.ms / seconds;
    }
  }
  await exited;
  let report: BotReport;
  try {
    report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as BotReport;
  } catch {
    throw new Error(`bots wrote no report (${setup.label}, ${bots}): ${botErr.slice(-2000)}`);
  }
  await nginx?.stop();
  await stopAll();
  rmSync(reportDir, { recursive: true, force: true });
  const s = report.summary;
  const connected = Math.max(1, s.bots.connectedAtEnd);
  return {
    label: setup.label,
    bots,
    connected: s.bots.connectedAtEnd,
    cpuPerClient: instanceMs / seconds / connected,
    redisCpuPerClient: redisMs / seconds / connected,
    nginxCpuPerClient: nginxMs / seconds / connected,
    forwardedShare: forwarded / connected,
    redisMessagesPerS: (info1.publishes - info0.publishes) / seconds,
    redisBytesPerS: (info1.bytes - info0.bytes) / seconds,
    rttP50: s.rttMs.p50,
    rttP99: s.rttMs.p99,
    latencyP50: s.inputToUpdateMs.p50,
    latencyP99: s.inputToUpdateMs.p99,
    updatesPerS: s.perClient.updatesPerS,
    errors: s.bots.errors + s.bots.joinErrors,
    botCpuPercent: (botMs / seconds / 1000) * 100,
    wakeupsPerS: switches / seconds,
    ...(profile
      ? {
          profile: Object.fromEntries(Object.entries(profile).map(([g, msPerS]) => [g, msPerS / connected])) as Record<
            ProfileGroup,
            number
          >,
        }
      : {}),
  };
}

async function main(): Promise<void> {
  const setups = SETUPS.filter((s) => !ONLY || ONLY.includes(s.label));
  const needsOld = setups.some((s) => s.build === 'old');
  const oldRoot = needsOld ? oldBuild() : undefined;
  const points: Point[] = [];
  const profiles: RunResult[] = [];
  try {
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const bots of LOADS) {
        // Interleaved: every setup of a load runs back to back, so machine noise hits all alike.
        for (const setup of setups) {
          log(`run ${repeat + 1}/${REPEATS}: ${setup.label}, ${bots} bots`);
          const result = await runOnce(setup, bots, oldRoot);
          log(
            `  cpu/client ${result.cpuPerClient.toFixed(3)} ms/s, forwarded ${(result.forwardedShare * 100).toFixed(0)} %, redis ${result.redisMessagesPerS.toFixed(0)} msg/s ${(result.redisBytesPerS / 1024).toFixed(0)} KiB/s, connected ${result.connected}/${bots}`,
          );
          let point = points.find((p) => p.label === setup.label && p.bots === bots);
          if (!point) {
            point = { label: setup.label, bots, runs: [] };
            points.push(point);
          }
          point.runs.push(result);
          writeResults(points, profiles, CONTEXT);
        }
      }
    }
    if (PROFILE) {
      const bots = Math.max(...LOADS);
      for (const setup of setups.filter((s) => s.build === 'new')) {
        log(`profiled run: ${setup.label}, ${bots} bots`);
        const dir = mkdtempSync(path.join(os.tmpdir(), 'arena-bench-profile-'));
        const result = await runOnce(setup, bots, oldRoot, dir);
        rmSync(dir, { recursive: true, force: true });
        profiles.push(result);
        writeResults(points, profiles, CONTEXT);
      }
    }
  } finally {
    await stopAll();
    if (oldRoot) execFileSync('git', ['worktree', 'remove', '--force', oldRoot], { cwd: ROOT, stdio: 'ignore' });
  }
  log(`wrote bench/${OUT}.md`);
}

await main();
