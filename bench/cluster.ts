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
 * BENCH_PROFILE=1 or `--profile` (one more run per setup with every instance profiled).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BotReport } from '../bots/report.ts';
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
  type Instance,
  type RedisServer,
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
/** After the measured runs, one profiled run per setup (new build) at the highest load: where instance CPU goes. */
const PROFILE = process.env.BENCH_PROFILE === '1' || process.argv.includes('--profile');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const PIN = os.cpus().length === 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

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

interface RunResult {
  label: string;
  bots: number;
  connected: number;
  /** Instance CPU, ms per second per connected client. */
  cpuPerClient: number;
  redisCpuPerClient: number;
  nginxCpuPerClient: number;
  forwardedShare: number;
  redisMessagesPerS: number;
  redisBytesPerS: number;
  rttP50: number | null;
  rttP99: number | null;
  latencyP50: number | null;
  latencyP99: number | null;
  updatesPerS: number | null;
  errors: number;
  botCpuPercent: number;
  /** Context switches of every instance thread, per second: how often the processes wake up and are preempted. */
  wakeupsPerS: number;
  /** Profiled runs only: instance CPU by group (bench/profile.ts), ms per second per client, summed over instances. */
  profile?: Record<ProfileGroup, number>;
}

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

async function redisInfo(redis: RedisServer): Promise<{ publishes: number; bytes: number }> {
  const stats = await redis.client.info('stats');
  const commands = await redis.client.info('commandstats');
  const field = (text: string, name: string): number => Number(new RegExp(`${name}:(\\d+)`, 'u').exec(text)?.[1] ?? 0);
  const publishes = Number(/cmdstat_publish:calls=(\d+)/u.exec(commands)?.[1] ?? 0);
  return { publishes, bytes: field(stats, 'total_net_input_bytes') + field(stats, 'total_net_output_bytes') };
}

async function scrapeForwarded(instances: Instance[]): Promise<number> {
  let total = 0;
  for (const instance of instances) {
    const text = await (await fetch(`${instance.url}/metrics`)).text();
    total += Number(/^arena_forwarded_connections_active (\d+)/mu.exec(text)?.[1] ?? 0);
  }
  return total;
}

/** Voluntary + involuntary context switches of every thread of `pid`, from /proc. */
function contextSwitches(pid: number): number {
  let total = 0;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const task of tasks) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gmu)) total += Number(m[1]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total;
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

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Point {
  label: string;
  bots: number;
  runs: RunResult[];
}

function fmt(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/** `median (min–max)` of a field over a point's runs. */
function spread(point: Point, read: (r: RunResult) => number | null, digits = 2): string {
  const xs = point.runs.map(read).filter((x): x is number => x !== null && Number.isFinite(x));
  if (xs.length === 0) return '-';
  return `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;
}

function med(point: Point | undefined, read: (r: RunResult) => number | null): number {
  if (!point) return Number.NaN;
  return median(point.runs.map(read).filter((x): x is number => x !== null && Number.isFinite(x)));
}

function writeResults(points: Point[], profiles: RunResult[]): void {
  const find = (label: string, bots: number) => points.find((p) => p.label === label && p.bots === bots);
  const lines: string[] = [];
  lines.push('# Cluster benchmark: edge fan-out', '');
  lines.push(`Generated by \`npm run bench:cluster\` (bench/cluster.ts) on ${new Date().toISOString()}.`, '');
  lines.push(
    `- Machine: ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown'}, Node ${process.version}; ${PIN ? 'servers, Redis and nginx pinned to core 0, bots to core 1' : 'no pinning'}.`,
    `- Bots: the project's bots (\`bots/cli.ts\`), 16 per room, ${RUN_S} s runs with a ${RAMP_S} s ramp; CPU and Redis counters over the window from ${RAMP_S + 2} s to ${RUN_S - 1} s; ${REPEATS} runs per point, median (min–max).`,
    `- "old bytes" is commit \`${OLD_REF}\` (byte forwarding: TCP splice / Redis byte tunnel), run from a git worktree with the same bots and nginx.`,
    '- CPU is utime+stime of every instance process (from /proc), per connected bot; Redis and nginx apart. Redis traffic is INFO `total_net_input_bytes + total_net_output_bytes` and PUBLISH calls.',
    '',
  );
  lines.push(
    '| setup | bots | instance CPU ms/s per client | vs 1 instance | Redis CPU | forwarded share | Redis msg/s | Redis KiB/s | RTT p50 / p99 ms | input→update p50 / p99 ms | instance wakeups/s | errors |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const point of points) {
    const single = med(find('1 instance', point.bots), (r) => r.cpuPerClient);
    const ratio = med(point, (r) => r.cpuPerClient) / single;
    lines.push(
      `| ${point.label} | ${point.bots} | ${spread(point, (r) => r.cpuPerClient, 3)} | ${fmt(ratio)}× | ${spread(point, (r) => r.redisCpuPerClient, 3)} | ${spread(point, (r) => r.forwardedShare * 100, 0)} % | ${spread(point, (r) => r.redisMessagesPerS, 0)} | ${spread(point, (r) => r.redisBytesPerS / 1024, 0)} | ${fmt(
        med(point, (r) => r.rttP50),
        1,
      )} / ${fmt(
        med(point, (r) => r.rttP99),
        1,
      )} | ${fmt(
        med(point, (r) => r.latencyP50),
        1,
      )} / ${fmt(
        med(point, (r) => r.latencyP99),
        1,
      )} | ${spread(point, (r) => r.wakeupsPerS, 0)} | ${point.runs.reduce((s, r) => s + r.errors, 0)} |`,
    );
  }
  lines.push('');
  lines.push('## Against the targets', '');
  lines.push('| target | load | measured | |', '|---|---:|---:|---|');
  for (const bots of LOADS) {
    const single = find('1 instance', bots);
    const cpu1 = med(single, (r) => r.cpuPerClient);
    const row = (what: string, measured: number, ok: boolean, unit = ''): void => {
      lines.push(
        `| ${what} | ${bots} | ${fmt(measured)}${unit} | ${Number.isFinite(measured) ? (ok ? 'met' : '**missed**') : 'not measured'} |`,
      );
    };
    const affinity = med(find('3 × edge, redis, cookie affinity', bots), (r) => r.forwardedShare * 100);
    row('forwarded share with cookie affinity ≤ 10 %', affinity, affinity <= 10, ' %');
    const direct = med(find('3 × edge, direct', bots), (r) => r.cpuPerClient) / cpu1;
    row('cluster CPU per client ≤ 1.15× one instance (direct)', direct, direct <= 1.15, '×');
    const redisPoint = find('3 × edge, redis', bots);
    const redisRatio = med(redisPoint, (r) => r.cpuPerClient + r.redisCpuPerClient) / cpu1;
    row('cluster CPU per client ≤ 1.3× one instance (redis, Redis included)', redisRatio, redisRatio <= 1.3, '×');
    const standalone = med(find('3 × standalone, cookie affinity', bots), (r) => r.cpuPerClient);
    if (Number.isFinite(standalone)) {
      for (const label of [
        '3 × edge, direct',
        '3 × edge, direct, random LB',
        '3 × edge, direct, cookie affinity',
      ] as const) {
        const ratio = med(find(label, bots), (r) => r.cpuPerClient) / standalone;
        row(`(not a target) ${label} vs three standalone processes, same core (≤ 1.15×)`, ratio, ratio <= 1.15, '×');
      }
      for (const label of [
        '3 × edge, redis',
        '3 × edge, redis, random LB',
        '3 × edge, redis, cookie affinity',
      ] as const) {
        const ratio = med(find(label, bots), (r) => r.cpuPerClient + r.redisCpuPerClient) / standalone;
        row(
          `(not a target) ${label}, Redis included, vs three standalone processes (≤ 1.3×)`,
          ratio,
          ratio <= 1.3,
          '×',
        );
      }
    }
    const bytesNew = med(redisPoint, (r) => r.redisBytesPerS);
    const bytesOld = med(find('3 × old bytes, redis', bots), (r) => r.redisBytesPerS);
    row('Redis bytes/s ≥ 8× less than the byte tunnel', bytesOld / bytesNew, bytesOld / bytesNew >= 8, '× less');
    for (const [label, p50, p99] of [
      ['3 × edge, direct', 1, 3],
      ['3 × edge, redis', 2, 5],
    ] as const) {
      const point = find(label, bots);
      const dRtt50 = med(point, (r) => r.rttP50) - med(single, (r) => r.rttP50);
      const dRtt99 = med(point, (r) => r.rttP99) - med(single, (r) => r.rttP99);
      const dLat50 = med(point, (r) => r.latencyP50) - med(single, (r) => r.latencyP50);
      const dLat99 = med(point, (r) => r.latencyP99) - med(single, (r) => r.latencyP99);
      row(`added RTT p50 ≤ +${p50} ms (${label})`, dRtt50, dRtt50 <= p50, ' ms');
      row(`added RTT p99 ≤ +${p99} ms (${label})`, dRtt99, dRtt99 <= p99, ' ms');
      row(`added input→update p50 ≤ +${p50} ms (${label})`, dLat50, dLat50 <= p50, ' ms');
      row(`added input→update p99 ≤ +${p99} ms (${label})`, dLat99, dLat99 <= p99, ' ms');
    }
  }
  lines.push('');
  lines.push(
    `Bots process CPU (core 1): ${points.map((p) => `${p.label} @${p.bots}: ${spread(p, (r) => r.botCpuPercent, 0)} %`).join('; ')}.`,
    '',
  );
  if (profiles.length > 0) {
    lines.push(
      `## Where instance CPU goes (V8 CPU profile, ${profiles[0]!.bots} bots)`,
      '',
      "One extra run per setup with every instance profiled over the measured window only (`bench/profileHook.ts`; the profiler itself costs a little), grouped by `bench/profile.ts` and summed over the instances: ms of CPU per second per connected client. *send* includes every socket write (to players and, on the edge, to peers); *cluster* is the edge channel, placement, registry and Redis clients in JavaScript. Kernel time outside V8 (TCP on loopback, which here also pays the receiver's work) is not in a profile: compare the *total* with the CPU column above.",
      '',
      `| setup | ${PROFILE_GROUPS.join(' | ')} | total |`,
      `|---|${PROFILE_GROUPS.map(() => '---:').join('|')}|---:|`,
    );
    for (const r of profiles) {
      const p = r.profile!;
      const total = PROFILE_GROUPS.reduce((sum, g) => sum + p[g], 0);
      lines.push(`| ${r.label} | ${PROFILE_GROUPS.map((g) => fmt(p[g], 3)).join(' | ')} | ${fmt(total, 3)} |`);
    }
    lines.push('');
  }
  const notes = path.join(ROOT, 'bench/results-cluster-notes.md');
  if (existsSync(notes)) lines.push(readFileSync(notes, 'utf8'));
  writeFileSync(path.join(ROOT, 'bench/results-cluster.md'), `${lines.join('\n')}\n`);
  writeFileSync(
    path.join(ROOT, 'bench/results-cluster.json'),
    `${JSON.stringify({ generatedAt: new Date().toISOString(), oldRef: OLD_REF, points, profiles }, null, 2)}\n`,
  );
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
          writeResults(points, profiles);
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
        writeResults(points, profiles);
      }
    }
  } finally {
    await stopAll();
    if (oldRoot) execFileSync('git', ['worktree', 'remove', '--force', oldRoot], { cwd: ROOT, stdio: 'ignore' });
  }
  log('wrote bench/results-cluster.md');
}

await main();
