/**
 * Over 300 lines on purpose: one benchmark read top to bottom (set-up,
 * interleaved rounds, report); its helpers live in harness/.
 *
 * `npm run bench:forwarding`: what the forwarding hop costs.
 *
 * For each forward mode (direct TCP, Redis pub/sub) it starts a private Redis
 * and two instances, A and B, as real processes, with a room on B, and measures:
 *
 * 1. Round-trip latency, p50/p99, for a client connected straight to B (the
 *    owner) and a client connected through A (forwarded), interleaved so both
 *    see the same machine conditions. A round trip is the one the tests use
 *    ({@link EchoProbe}: a request of a type the room has no handler for, answered with an error naming it),
 *    paced under the room's flood limit of 120 frames a second per client.
 * 2. Server CPU per client: N clients each sending 30 inputs a second for a
 *    fixed time, all straight to B versus all through A, read from
 *    `/proc/<pid>/stat` (utime + stime) of both instances (and of Redis).
 *
 * Writes bench/results-forwarding.md. Env: BENCH_ROUND_TRIPS (default 3000),
 * BENCH_CLIENTS (12), BENCH_SECONDS (10), BENCH_REPEATS (3).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, type Room } from '@colyseus/sdk';
import {
  cpuTicks,
  EchoProbe,
  forwardStats,
  roomCaches,
  startInstances,
  startRedis,
  stopAll,
  type ForwardMode,
  type Instance,
  type RedisServer,
} from '../harness/cluster.ts';
import { sleep } from '../harness/net.ts';

const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 3000);
const WARMUP_ROUND_TRIPS = 200;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 12);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const WARMUP_LOAD_MS = 2000;
const INPUT_HZ = 30;
/** Pause after each round trip: two clients alternate, so each sends well under 100 frames/s. */
const PAUSE_MS = 5;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const TARGET_P50_MS = 1;
const TARGET_P99_MS = 3;
const TARGET_CPU_RATIO = 1.25;

interface LatencyResult {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

interface CpuRun {
  path: 'owner' | 'forwarded';
  /** CPU ms per second of load, per client. */
  perClient: { a: number; b: number; total: number; redis: number };
  seconds: number;
}

interface ModeResult {
  mode: ForwardMode;
  owner: LatencyResult;
  forwarded: LatencyResult;
  cpu: CpuRun[];
}

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function summarize(samples: number[]): LatencyResult {
  const sorted = [...samples].sort((x, y) => x - y);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    max: sorted[sorted.length - 1]!,
  };
}

/** Create a room on B with a client connected straight to B, and check it really lives there. */
async function roomOnB(redis: RedisServer, b: Instance, name: string): Promise<Room> {
  // Placement picks the least-loaded instance and B wins ties when asked; a
  // just-emptied run may still count against B for a moment, so retry.
  for (let attempt = 1; ; attempt++) {
    const host = await new Client(b.url).create('arena', { name });
    const owner = (await roomCaches(redis.client)).get(host.roomId)?.processId;
    if (owner === b.processId) return host;
    await leaveAll([host]);
    if (attempt === 5) throw new Error(`room ${host.roomId} was placed on ${owner}, not on B (${b.processId})`);
    await sleep(1000);
  }
}

async function leaveAll(rooms: Room[]): Promise<void> {
  await Promise.all(
    rooms.map(async (room) => {
      room.reconnection.enabled = false;
      await Promise.race([room.leave(true).catch(() => undefined), sleep(2000)]);
    }),
  );
}

async function measureLatency(
  redis: RedisServer,
  a: Instance,
  b: Instance,
): Promise<{ owner: LatencyResult; forwarded: LatencyResult }> {
  const x = await roomOnB(redis, b, 'X-direct');
  const y = await new Client(a.url).joinById(x.roomId, { name: 'Y-via-A' });
  const statsA = await forwardStats(a);
  if (statsA.active !== 1)
    throw new Error(`expected Y to be forwarded by A, A reports ${statsA.active} active forwards`);
  const px = new EchoProbe(x);
  const py = new EchoProbe(y);
  const samplesX: number[] = [];
  const samplesY: number[] = [];
  for (let i = 0; i < WARMUP_ROUND_TRIPS + ROUND_TRIPS; i++) {
    // Alternate who goes first so neither path always runs right after the other.
    const order: [EchoProbe, number[]][] =
      i % 2 === 0
        ? [
            [px, samplesX],
            [py, samplesY],
          ]
        : [
            [py, samplesY],
            [px, samplesX],
          ];
    for (const [probe, samples] of order) {
      const ms = await probe.roundTrip();
      if (i >= WARMUP_ROUND_TRIPS) samples.push(ms);
      await sleep(PAUSE_MS);
    }
  }
  for (const probe of [px, py]) {
    const expected = probe.sentCount;
    if (probe.received.length !== expected || probe.received.some((seq, i) => seq !== i))
      throw new Error('echo answers lost or out of order');
    probe.stop();
  }
  await leaveAll([x, y]);
  return { owner: summarize(samplesX), forwarded: summarize(samplesY) };
}

async function measureCpu(redis: RedisServer, a: Instance, b: Instance, path: CpuRun['path']): Promise<CpuRun> {
  const host = await roomOnB(redis, b, 'host');
  const entry = path === 'owner' ? b : a;
  const clients: Room[] = [];
  for (let i = 0; i < CLIENTS; i++)
    clients.push(await new Client(entry.url).joinById(host.roomId, { name: `load-${i}` }));
  await leaveAll([host]); // only the measured clients stay
  const forwarded = (await forwardStats(a)).active + (await forwardStats(b)).active;
  if (forwarded !== (path === 'forwarded' ? CLIENTS : 0))
    throw new Error(`${path}: ${forwarded} connections forwarded, expected ${path === 'forwarded' ? CLIENTS : 0}`);

  // Every client sends 30 inputs a second, changing direction each second so players keep moving.
  const inputs = clients.map((room) => room.input<{ moveX: number; moveY: number }>());
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    const direction = Math.floor(tick / INPUT_HZ) % 2 === 0 ? 1 : -1;
    for (const [i, input] of inputs.entries()) {
      input.data.moveX = direction;
      input.data.moveY = i % 2 === 0 ? direction : -direction;
      input.send();
    }
  }, 1000 / INPUT_HZ);
  await sleep(WARMUP_LOAD_MS);
  const start = { a: cpuTicks(a.pid), b: cpuTicks(b.pid), redis: cpuTicks(redis.pid), at: performance.now() };
  await sleep(LOAD_SECONDS * 1000);
  const end = { a: cpuTicks(a.pid), b: cpuTicks(b.pid), redis: cpuTicks(redis.pid), at: performance.now() };
  clearInterval(timer);
  const seconds = (end.at - start.at) / 1000;
  const perClient = (ticks: number): number => (ticks * 1000) / CLK_TCK / seconds / CLIENTS;
  const acked = Math.min(...inputs.map((input) => input.lastProcessed));
  if (acked < INPUT_HZ * LOAD_SECONDS * 0.8)
    throw new Error(`${path}: the server processed only ${acked} inputs of some client`);
  await leaveAll(clients);
  await sleep(500);
  const run: CpuRun = {
    path,
    seconds,
    perClient: {
      a: perClient(end.a - start.a),
      b: perClient(end.b - start.b),
      total: perClient(end.a - start.a + end.b - start.b),
      redis: perClient(end.redis - start.redis),
    },
  };
  log(
    `  cpu ${path}: ${run.perClient.total.toFixed(2)} ms/s per client (A ${run.perClient.a.toFixed(2)}, B ${run.perClient.b.toFixed(2)}, redis ${run.perClient.redis.toFixed(2)})`,
  );
  return run;
}

async function benchMode(mode: ForwardMode): Promise<ModeResult> {
  log(`\n== ${mode} forwarding ==`);
  const redis = await startRedis();
  const [a, b] = (await startInstances(redis, mode, ['A', 'B'])) as [Instance, Instance];
  try {
    const latency = await measureLatency(redis, a, b);
    log(
      `  latency owner p50 ${latency.owner.p50.toFixed(3)} p99 ${latency.owner.p99.toFixed(3)} ms; forwarded p50 ${latency.forwarded.p50.toFixed(3)} p99 ${latency.forwarded.p99.toFixed(3)} ms`,
    );
    const cpu: CpuRun[] = [];
    // A throwaway run warms up both instances' JIT before anything is recorded.
    await measureCpu(redis, a, b, 'forwarded');
    for (let r = 0; r < REPEATS; r++) {
      cpu.push(await measureCpu(redis, a, b, 'owner'));
      cpu.push(await measureCpu(redis, a, b, 'forwarded'));
    }
    return { mode, ...latency, cpu };
  } finally {
    await stopAll();
  }
}

function average(runs: CpuRun[], path: CpuRun['path']): CpuRun['perClient'] {
  const of = runs.filter((r) => r.path === path);
  const avg = (k: keyof CpuRun['perClient']): number => of.reduce((s, r) => s + r.perClient[k], 0) / of.length;
  return { a: avg('a'), b: avg('b'), total: avg('total'), redis: avg('redis') };
}

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return line ? line.slice(line.indexOf(':') + 1).trim() : 'unknown';
}

const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');

function report(results: ModeResult[], benchCpuMs: number): string {
  const f = (n: number): string => n.toFixed(3);
  const lines: string[] = [];
  lines.push('# Forwarding benchmark');
  lines.push('');
  lines.push(`Generated by \`npm run bench:forwarding\` (bench/forwarding.ts) on ${new Date().toISOString()}.`);
  lines.push('');
  lines.push(
    `- Machine: ${os.cpus().length} CPUs (\`nproc\` ${execFileSync('nproc').toString().trim()}), ${cpuModel()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}`,
  );
  lines.push(
    `- Node ${process.version}; instances run \`node --import tsx server/index.ts\` (TypeScript through tsx, as the tests do), \`LOG_LEVEL=warn\`; Redis ${redisVersion()}; everything on 127.0.0.1.`,
  );
  lines.push(
    '- Two instances, A and B, with the room on B. "Owner" = client connected straight to B; "forwarded" = client connected to A, which carries the socket to B (direct: a spliced TCP connection; redis: pub/sub tunnel).',
  );
  lines.push(
    `- Latency: ${ROUND_TRIPS} sequential round trips per path after ${WARMUP_ROUND_TRIPS} warm-up ones, owner and forwarded clients interleaved, ${PAUSE_MS} ms pause after each (the room disconnects clients sending over 120 frames/s). A round trip is the one the e2e tests use: a request of a type the room has no handler for, which Colyseus answers with an error naming it. Measured in the client (SDK encode/decode included).`,
  );
  lines.push(
    `- CPU: ${CLIENTS} clients each sending ${INPUT_HZ} inputs/s (the room ticks and sends patches at 30 Hz) for ${LOAD_SECONDS} s after a ${WARMUP_LOAD_MS / 1000} s warm-up; utime+stime from \`/proc/<pid>/stat\` (clock tick ${1000 / CLK_TCK} ms). Reported as CPU milliseconds per second per client; "A+B" sums both instances in every configuration (A idles when clients go straight to B). Average of ${REPEATS} runs per path after one discarded warm-up run. Redis CPU is shown separately.`,
  );
  lines.push(
    '- The SDK clients run inside the benchmark process on the same machine and compete with the servers for its CPUs.',
  );
  lines.push('');
  lines.push('## Round-trip latency (ms)');
  lines.push('');
  lines.push('| mode | path | p50 | p99 | mean | max | added p50 | added p99 |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(
      `| ${r.mode} | owner (direct to B) | ${f(r.owner.p50)} | ${f(r.owner.p99)} | ${f(r.owner.mean)} | ${f(r.owner.max)} | | |`,
    );
    lines.push(
      `| ${r.mode} | forwarded (via A) | ${f(r.forwarded.p50)} | ${f(r.forwarded.p99)} | ${f(r.forwarded.mean)} | ${f(r.forwarded.max)} | ${f(r.forwarded.p50 - r.owner.p50)} | ${f(r.forwarded.p99 - r.owner.p99)} |`,
    );
  }
  lines.push('');
  lines.push('## Server CPU per client (CPU ms per second)');
  lines.push('');
  lines.push('| mode | path | A | B | A+B | Redis | A+B vs owner |');
  lines.push('|---|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const owner = average(r.cpu, 'owner');
    const fwd = average(r.cpu, 'forwarded');
    lines.push(
      `| ${r.mode} | owner (direct to B) | ${f(owner.a)} | ${f(owner.b)} | ${f(owner.total)} | ${f(owner.redis)} | |`,
    );
    lines.push(
      `| ${r.mode} | forwarded (via A) | ${f(fwd.a)} | ${f(fwd.b)} | ${f(fwd.total)} | ${f(fwd.redis)} | ${((fwd.total / owner.total - 1) * 100).toFixed(1)}% |`,
    );
  }
  lines.push('');
  lines.push('Individual CPU runs (A+B ms/s per client):');
  lines.push('');
  for (const r of results)
    lines.push(`- ${r.mode}: ${r.cpu.map((c) => `${c.path} ${f(c.perClient.total)}`).join(', ')}`);
  lines.push('');
  lines.push(`Benchmark process (clients) used ${(benchCpuMs / 1000).toFixed(1)} s of CPU in total.`);
  lines.push('');
  lines.push('## Against the targets');
  lines.push('');
  lines.push(
    `Targets: forwarding adds at most ${TARGET_P50_MS} ms p50 and ${TARGET_P99_MS} ms p99 on loopback, and at most ${Math.round((TARGET_CPU_RATIO - 1) * 100)}% more server CPU per client (A+B).`,
  );
  lines.push('');
  lines.push('| mode | added p50 | added p99 | extra CPU (A+B) | extra CPU incl. Redis |');
  lines.push('|---|---|---|---|---|');
  for (const r of results) {
    const dp50 = r.forwarded.p50 - r.owner.p50;
    const dp99 = r.forwarded.p99 - r.owner.p99;
    const owner = average(r.cpu, 'owner');
    const fwd = average(r.cpu, 'forwarded');
    const ratio = fwd.total / owner.total;
    const ratioRedis = (fwd.total + fwd.redis) / (owner.total + owner.redis);
    lines.push(
      `| ${r.mode} | ${f(dp50)} ms (${verdict(dp50 <= TARGET_P50_MS)}) | ${f(dp99)} ms (${verdict(dp99 <= TARGET_P99_MS)}) | ${((ratio - 1) * 100).toFixed(1)}% (${verdict(ratio <= TARGET_CPU_RATIO)}) | ${((ratioRedis - 1) * 100).toFixed(1)}% |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function redisVersion(): string {
  try {
    return (
      execFileSync('redis-server', ['--version'])
        .toString()
        .match(/v=(\S+)/u)?.[1] ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

const cpuStart = process.cpuUsage();
const results: ModeResult[] = [];
for (const mode of ['direct', 'redis'] as const) results.push(await benchMode(mode));
const used = process.cpuUsage(cpuStart);
const out = path.join(import.meta.dirname, 'results-forwarding.md');
const markdown = report(results, (used.user + used.system) / 1000);
writeFileSync(out, markdown);
log(`\n${markdown}`);
log(`written to ${out}`);
process.exit(0);
