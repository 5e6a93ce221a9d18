/**
 * `npm run bench:create-flood`: what a room-creation flood does to a server
 * and to an honest player on it.
 *
 * For each point it starts one server process (`server/index.ts` from
 * this checkout, and first from `BENCH_BEFORE_ROOT` when set, an older
 * checkout measured side by side, named `BENCH_BEFORE_LABEL`), puts one honest player in a room, and has
 * `BENCH_FLOOD_WORKERS` concurrent loops POST `/matchmake/create/arena` for
 * `BENCH_FLOOD_SECONDS`, from loopback or as one outside address (an
 * `X-Forwarded-For`, as the load balancer would send). It samples the
 * server's rooms (`arena_rooms`) and RSS every 250 ms, and times the gaps
 * between the honest player's state patches (the flood runs in a worker
 * thread, so its own work does not delay the honest client). Writes
 * bench/results-create-flood.md. Each point runs `BENCH_REPEATS` times;
 * medians with min/max.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Client } from '@colyseus/sdk';
import { freePort, sleep, waitFor } from '../harness/net.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const WORKERS = Number(process.env.BENCH_FLOOD_WORKERS ?? 32);
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 10);
const AFTER_SECONDS = 20;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

interface Point {
  label: string;
  root: string;
  env: Record<string, string>;
  /** Flood as this outside address (through one trusted proxy hop); loopback when absent. */
  address?: string;
}

interface Run {
  created: number;
  refused: Record<string, number>;
  peakRooms: number;
  rssBeforeMb: number;
  peakRssMb: number;
  rssAfterMb: number;
  gapP50Ms: number;
  gapP99Ms: number;
}

const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/u.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function rooms(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('arena_rooms '));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

async function runPoint(point: Point): Promise<Run> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(NODE, ['--import', 'tsx', 'server/index.ts'], {
    cwd: point.root,
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'error',
      CLIENT_DIST: path.join(ROOT, 'dist/client'),
      ...point.env,
    },
    stdio: 'ignore',
  });
  try {
    await waitFor(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true,
      'the server to be ready',
      30_000,
      100,
    );
    const honest = await new Client(url).joinOrCreate('arena', { name: 'honest' });
    await sleep(1000);
    const gaps: number[] = [];
    let last = 0;
    let measuring = false;
    honest.onStateChange(() => {
      const now = performance.now();
      if (measuring && last > 0) gaps.push(now - last);
      last = now;
    });
    const rssBeforeMb = rssMb(child.pid!);
    let peakRooms = 0;
    let peakRssMb = rssBeforeMb;
    const sampler = setInterval(() => {
      peakRssMb = Math.max(peakRssMb, rssMb(child.pid!));
      void rooms(url)
        .then((n) => {
          peakRooms = Math.max(peakRooms, n);
        })
        .catch(() => undefined);
    }, 250);
    measuring = true;
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { url, address: point.address } satisfies FloodJob,
    });
    const { created, refused } = await new Promise<FloodResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    measuring = false;
    await sleep(AFTER_SECONDS * 1000);
    clearInterval(sampler);
    const rssAfterMb = rssMb(child.pid!);
    await honest.leave();
    const sorted = gaps.sort((a, b) => a - b);
    return {
      created,
      refused,
      peakRooms,
      rssBeforeMb,
      peakRssMb,
      rssAfterMb,
      gapP50Ms: quantile(sorted, 0.5),
      gapP99Ms: quantile(sorted, 0.99),
    };
  } finally {
    child.kill('SIGKILL');
  }
}

interface FloodJob {
  url: string;
  address: string | undefined;
}

interface FloodResult {
  created: number;
  refused: Record<string, number>;
}

/** The flood itself: `WORKERS` loops of create requests for `FLOOD_SECONDS` (run in a worker thread). */
async function flood({ url, address }: FloodJob): Promise<FloodResult> {
  const refused: Record<string, number> = {};
  let created = 0;
  const until = Date.now() + FLOOD_SECONDS * 1000;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (address) headers['x-forwarded-for'] = address;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      for (let i = 0; Date.now() < until; i++) {
        const res = await fetch(`${url}/matchmake/create/arena`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: `f${w}x${i}` }),
        }).catch(() => undefined);
        if (!res) continue;
        await res.arrayBuffer();
        if (res.status === 200) created += 1;
        else refused[res.status] = (refused[res.status] ?? 0) + 1;
      }
    }),
  );
  return { created, refused };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[], digits = 0): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

async function main(): Promise<void> {
  const before = process.env.BENCH_BEFORE_ROOT;
  const points: Point[] = [
    ...(before
      ? [{ label: `before (${process.env.BENCH_BEFORE_LABEL ?? path.basename(before)})`, root: before, env: {} }]
      : []),
    { label: 'this build, flood from loopback (no rate limit; MAX_ROOMS 200)', root: ROOT, env: {} },
    {
      label: 'this build, flood as one outside address (JOIN_RATE_LIMIT 30/10 s)',
      root: ROOT,
      env: {},
      address: '203.0.113.99',
    },
  ];
  const results = new Map<Point, Run[]>(points.map((p) => [p, []]));
  // Interleaved, so every point sees the same machine conditions.
  for (let r = 0; r < REPEATS; r++) {
    for (const point of points) {
      const run = await runPoint(point);
      process.stdout.write(`${point.label} #${r + 1}: ${JSON.stringify(run)}\n`);
      results.get(point)!.push(run);
    }
  }
  const rows = points.map((p) => {
    const runs = results.get(p)!;
    const refused = runs.map(
      (r) =>
        Object.entries(r.refused)
          .map(([s, n]) => `${n}×${s}`)
          .join(', ') || 'none',
    );
    return `| ${p.label} | ${fmt(runs.map((r) => r.created))} | ${refused.join(' / ')} | ${fmt(runs.map((r) => r.peakRooms))} | ${fmt(runs.map((r) => r.rssBeforeMb))} | ${fmt(runs.map((r) => r.peakRssMb))} | ${fmt(runs.map((r) => r.rssAfterMb))} | ${fmt(
      runs.map((r) => r.gapP50Ms),
      1,
    )} | ${fmt(
      runs.map((r) => r.gapP99Ms),
      1,
    )} |`;
  });
  const md = `# Room-creation flood

Run ${new Date().toISOString()} by \`npm run bench:create-flood\` on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}: ${WORKERS} concurrent loops POST \`/matchmake/create/arena\` for ${FLOOD_SECONDS} s against one server process holding one honest player; RSS again ${AFTER_SECONDS} s after the flood. Medians of ${REPEATS} interleaved runs (min–max). Load generator and server share the machine (not pinned). A patch gap p50 well under the 33 ms step means the honest client received patches in bursts: the server's event loop was saturated.

| Point | Creates answered 200 | Refused | Peak rooms | RSS before (MB) | Peak RSS (MB) | RSS after (MB) | Honest patch gap p50 (ms) | p99 (ms) |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeFileSync(path.join(ROOT, 'bench/results-create-flood.md'), md);
  process.stdout.write(md);
}

if (isMainThread) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  });
} else {
  void flood(workerData as FloodJob).then((result) => parentPort!.postMessage(result));
}
