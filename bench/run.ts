/**
 * Over 300 lines on purpose: one benchmark read top to bottom (set-up,
 * interleaved rounds, profile, report); its helpers live in harness/.
 *
 * `npm run bench`: the server against its baselines at fixed load points, in
 * one run. Each point starts a fresh server pinned to core 0 (taskset, when
 * there are two cores) and its load pinned to core 1, measures after the ramp,
 * and stops both. The CPU comparison (this server, the stock Colyseus room,
 * the bare fan-out and the JSON baseline) runs interleaved, several rounds,
 * so a busy machine's drift hits all four alike; the report gives medians
 * with min/max. Writes bench/results.md, bench/results.svg and
 * bench/results.json. About nine minutes on two cores.
 *
 * `BENCH_QUICK=1` shrinks every point (for a smoke run; the figures are then not meaningful).
 * `npm run bench -- --profile` also takes a V8 CPU profile of the server at the
 * comparison load and writes its grouped summary into the report;
 * `--profile-only` takes just that profile and re-renders the last results.
 * `--heap-only` measures just the heap per client of this server and the stock room, into the last results.
 * `npm run bench -- --render` only rewrites results.md and results.svg from results.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BotReport } from '../bots/report.ts';
import { parsePrometheusText, sumOf } from '../common/prometheus.ts';
import { freePort, sleep, waitFor } from '../harness/net.ts';
import { summarizeProfile, withSourceFiles, type CpuProfile, type ProfileSummary } from './profile.ts';
import {
  renderResults,
  type BenchResults,
  type CapacityStep,
  type CpuSample,
  type CpuServer,
  type HeapSample,
  type LoadgenResult,
} from './results.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const TWO_CORES = os.availableParallelism() >= 2;
const TASKSET = TWO_CORES && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const SERVER_CORE = '0';
const LOAD_CORE = '1';
/** Clients per comparison point: 16 full rooms, well inside what one load core drives at 30 Hz. */
const CLIENTS = QUICK ? 32 : 256;
const POINT_S = QUICK ? 6 : 20;
const RAMP_S = QUICK ? 2 : 6;
const CAPACITY_STEPS = QUICK ? [48] : [300, 600, 900];
/** Interleaved rounds of the CPU comparison (each: this server, stock room, fan-out, JSON). */
const ROUNDS = QUICK ? 1 : 3;
const PROFILE = process.argv.includes('--profile') || process.argv.includes('--profile-only');
/**
 * This server as deployed: the esbuild bundle `npm start` runs (built at the
 * start of every run), not the TypeScript sources through tsx, whose
 * transform adds work (`__name` wrappers on every function) that production
 * does not do. Colyseus itself is plain JavaScript in both.
 */
const SERVER = 'dist/server/index.mjs';

let tmp = '';
const log = (msg: string): void => void process.stdout.write(`[bench] ${msg}\n`);

/**
 * `BENCH_NICE` (e.g. -10): run the servers and their load at this nice value, so
 * that on a machine shared with other work the measured processes are not
 * starved (a starved load generator sends late and reads late). Lowering it
 * below 0 needs root.
 */
const NICE = process.env.BENCH_NICE;
if (NICE !== undefined && !/^-?\d+$/u.test(NICE)) throw new Error(`BENCH_NICE must be an integer, got ${NICE}`);

function nodeCommand(core: string, args: string[], nodeFlags: string[] = []): [string, string[]] {
  const node = [process.execPath, '--import', 'tsx', ...nodeFlags, ...args];
  const pinned = TASKSET ? ['taskset', '-c', core, ...node] : node;
  const cmd = NICE === undefined ? pinned : ['nice', '-n', NICE, ...pinned];
  return [cmd[0]!, cmd.slice(1)];
}

/** Start a server script pinned to the server core and wait until `healthPath` answers 200. */
async function startServer(
  script: string,
  env: Record<string, string>,
  healthPath: string,
  nodeFlags: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const [cmd, args] = nodeCommand(SERVER_CORE, [script], nodeFlags);
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', CLIENT_DIST: 'bench/no-client', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}${healthPath}`).catch(() => undefined))?.status === 200,
    `${script} to start`,
    20_000,
    100,
  );
  return { child, port };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(8000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

function runToEnd(args: string[]): Promise<number | null> {
  const [cmd, cmdArgs] = nodeCommand(LOAD_CORE, args);
  const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Run the bot CLI against a port; returns its JSON report. */
async function bots(
  label: string,
  port: number,
  count: number,
  extra: string[] = [],
  durationS = POINT_S,
  rampS = RAMP_S,
): Promise<BotReport> {
  const dir = path.join(tmp, label);
  const code = await runToEnd([
    'bots/cli.ts',
    '--url',
    `http://127.0.0.1:${port}`,
    '--bots',
    String(count),
    '--duration',
    String(durationS),
    '--ramp',
    String(rampS),
    '--report-dir',
    dir,
    '--quiet',
    '--scrape-interval',
    '2',
    ...extra,
  ]);
  const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as BotReport;
  log(`${label}: ${report.summary.bots.connectedMax}/${count} bots, exit ${code}`);
  return report;
}

async function loadgen(
  label: string,
  port: number,
  mode: 'json' | 'fanout',
  movers: number,
  inputBytes: number,
): Promise<LoadgenResult> {
  const out = path.join(tmp, `${label}.json`);
  await runToEnd([
    'bench/loadgen.ts',
    '--url',
    `ws://127.0.0.1:${port}`,
    '--clients',
    String(CLIENTS),
    '--duration',
    String(POINT_S),
    '--ramp',
    String(RAMP_S),
    '--mode',
    mode,
    '--movers',
    String(movers),
    '--input-bytes',
    String(inputBytes),
    '--out',
    out,
  ]);
  const result = JSON.parse(await readFile(out, 'utf8')) as LoadgenResult;
  log(`${label}: ${result.connected}/${CLIENTS} clients, server ${result.server?.cpuPercent} % CPU`);
  return result;
}

/** Server CPU per client from a bots report. */
function botSample(report: BotReport): CpuSample {
  const s = report.summary;
  const cpu = s.server?.cpuPercent ?? null;
  return {
    clients: s.bots.connectedAtEnd,
    serverCpuPercent: cpu,
    cpuMsPerClient: cpu === null || s.bots.connectedAtEnd === 0 ? null : (cpu * 10) / s.bots.connectedAtEnd,
    updatesPerS: s.perClient.updatesPerS,
    loadCpuPercent: s.botProcess.cpuPercent,
  };
}

/** Server CPU per client from a load generator result. */
function loadgenSample(r: LoadgenResult): CpuSample {
  const cpu = r.server?.cpuPercent ?? null;
  return {
    clients: r.connected,
    serverCpuPercent: cpu,
    cpuMsPerClient: cpu === null || r.connected === 0 ? null : (cpu * 10) / r.connected,
    updatesPerS: r.updatesPerClientPerS,
    loadCpuPercent: r.loadCpuPercent ?? null,
  };
}

/** The stock Colyseus room (bench/baseline/stockRoom.ts) under the same bots. */
async function stockPoint(label: string): Promise<BotReport> {
  const server = await startServer('bench/baseline/stockRoom.ts', {}, '/healthz');
  try {
    return await bots(label, server.port, CLIENTS);
  } finally {
    await stop(server.child);
  }
}

/**
 * A server at the comparison load, profiled over the measured window only:
 * bench/profileHook.ts starts the inspector's CPU profiler on a first SIGWINCH
 * (after the ramp) and writes the profile on a second one (at the window's end).
 * `script` is this server or the stock room, so the two profiles compare group by group.
 */
async function profilePoint(script = SERVER, health = '/readyz'): Promise<ProfileSummary> {
  const name = path.parse(script).name;
  const file = path.join(tmp, `${name}.cpuprofile`);
  const server = await startServer(script, { ARENA_PROFILE_OUT: file }, health, ['--import', './bench/profileHook.ts']);
  try {
    const startAt = setTimeout(() => server.child.kill('SIGWINCH'), (RAMP_S + 1) * 1000);
    const stopAt = setTimeout(() => server.child.kill('SIGWINCH'), (POINT_S - 1) * 1000);
    await bots(`profile-${name}`, server.port, CLIENTS);
    clearTimeout(startAt);
    clearTimeout(stopAt);
    await waitFor(async () => (await stat(file).catch(() => undefined)) !== undefined, 'the CPU profile', 20_000, 100);
    await sleep(500);
  } finally {
    await stop(server.child);
  }
  const summary = summarizeProfile(withSourceFiles(JSON.parse(await readFile(file, 'utf8')) as CpuProfile), 4);
  if (!QUICK && script === SERVER) await copyFile(file, path.join(ROOT, 'bench', 'profile.cpuprofile'));
  log(`profile ${name}: ${Math.round(summary.busyMs)} ms busy of ${Math.round(summary.wallMs)} ms`);
  return summary;
}

/** Both profiles: this server and the stock room, back to back. */
async function profiles(): Promise<NonNullable<BenchResults['profile']>> {
  const summary = await attempt('profile', () => profilePoint());
  const stock = await attempt('profile-stock', () => profilePoint('bench/baseline/stockRoom.ts', '/healthz'));
  return { date: new Date().toISOString(), loadAverage: loadAverage(), summary, stock };
}

/**
 * Live heap per client, exactly and at the margin: the server runs with
 * bench/heapHook.ts, which collects garbage fully and records the heap on
 * SIGWINCH. One process, read idle, then in the middle of a run with half the
 * comparison load, then in the middle of a run with all of it. The per-client
 * figure is the difference of the two loaded readings over the difference in
 * clients, so what loading costs once (compiled code and its feedback, warmed
 * up by the first run, ~11 KiB per client at 256 if divided) cancels out.
 */
async function heapPoint(script: string, health: string): Promise<HeapSample> {
  const name = path.parse(script).name;
  const file = path.join(tmp, `${name}.heap`);
  const server = await startServer(script, { ARENA_HEAP_OUT: file }, health, [
    '--expose-gc',
    '--import',
    './bench/heapHook.ts',
  ]);
  const readings = async (n: number): Promise<number[]> => {
    await waitFor(
      async () => (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).length >= n,
      `heap reading ${n}`,
      10_000,
      50,
    );
    return (await readFile(file, 'utf8')).trim().split('\n').map(Number);
  };
  const loadedRun = async (label: string, clients: number): Promise<number> => {
    const at = setTimeout(() => server.child.kill('SIGWINCH'), (RAMP_S + (POINT_S - RAMP_S) / 2) * 1000);
    const report = await bots(label, server.port, clients);
    clearTimeout(at);
    return report.summary.bots.connectedAtEnd;
  };
  try {
    server.child.kill('SIGWINCH');
    await readings(1);
    const halfClients = await loadedRun(`heap-${name}-half`, CLIENTS / 2);
    await readings(2);
    const clients = await loadedRun(`heap-${name}`, CLIENTS);
    const [idleBytes, halfBytes, loadedBytes] = await readings(3);
    return { idleBytes: idleBytes!, halfBytes: halfBytes!, halfClients, loadedBytes: loadedBytes!, clients };
  } finally {
    await stop(server.child);
  }
}

/** `--heap-only` and `--profile-only`: measure one part again and merge it into the last results. */
async function updateLastResults(update: (results: BenchResults) => Promise<void>): Promise<void> {
  const file = path.join(ROOT, 'bench', 'results.json');
  const results = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
  await update(results);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

async function heaps(): Promise<NonNullable<BenchResults['heap']>> {
  return {
    arena: await attempt('heap', () => heapPoint(SERVER, '/readyz')),
    stock: await attempt('heap-stock', () => heapPoint('bench/baseline/stockRoom.ts', '/healthz')),
  };
}

/**
 * Run one load point, once more if it fails: on a busy machine a bot process
 * can die of a stall, and one lost point should not cost the whole run.
 */
async function attempt<T>(label: string, point: () => Promise<T>): Promise<T> {
  try {
    return await point();
  } catch (error) {
    log(`${label} failed (${error instanceof Error ? error.message : String(error)}); running it again`);
    return point();
  }
}

const loadAverage = (): number[] => os.loadavg().map((v) => Math.round(v * 100) / 100);

async function heapUsed(port: number): Promise<number> {
  const scrape = parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  const live = sumOf(scrape, 'arena_heap_live_bytes');
  return live > 0 ? live : sumOf(scrape, 'nodejs_heap_size_used_bytes');
}

async function colyseusPoint(
  label: string,
  count: number,
  env: Record<string, string>,
  extra: string[] = [],
  durationS?: number,
  rampS?: number,
): Promise<{ report: BotReport; idleHeapBytes: number }> {
  const server = await startServer(SERVER, env, '/readyz');
  try {
    await sleep(1000);
    const idleHeapBytes = await heapUsed(server.port);
    return { report: await bots(label, server.port, count, extra, durationS, rampS), idleHeapBytes };
  } finally {
    await stop(server.child);
  }
}

/** The hand-written reading of the last run, appended to the report when present. */
async function notes(): Promise<string> {
  return readFile(path.join(ROOT, 'bench', 'results-notes.md'), 'utf8').catch(() => '');
}

async function render(): Promise<void> {
  const dir = path.join(ROOT, 'bench');
  const results = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as BenchResults;
  const { markdown, svg } = renderResults(results, await notes());
  await writeFile(path.join(dir, 'results.md'), markdown);
  await writeFile(path.join(dir, 'results.svg'), svg);
  log('rewrote bench/results.md and bench/results.svg from bench/results.json');
}

async function main(): Promise<void> {
  if (process.argv.includes('--render')) return render();
  const build = spawnSync('npm', ['run', '-s', 'build:server'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:server failed');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'arena-bench-'));
  const started = Date.now();
  log(
    `${TWO_CORES ? 'two cores' : 'one core'}, ${TASKSET ? 'server on core 0, load on core 1 (taskset)' : 'no pinning'}${NICE === undefined ? '' : `, nice ${NICE}`}${QUICK ? ', QUICK run' : ''}`,
  );
  try {
    if (process.argv.includes('--heap-only')) {
      await updateLastResults(async (results) => {
        results.heap = await heaps();
      });
      return render();
    }
    if (process.argv.includes('--profile-only')) {
      await updateLastResults(async (results) => {
        results.profile = await profiles();
      });
      return render();
    }
    const loadBefore = loadAverage();
    const few = String(2 / 16);
    // The CPU comparison, interleaved: every round runs all four servers back to back.
    const cpu: Record<CpuServer, CpuSample[]> = { arena: [], stock: [], fanout: [], json: [] };
    let allMoving: { report: BotReport; idleHeapBytes: number } | undefined;
    let jsonAll: LoadgenResult | undefined;
    let patchBytes = 64;
    let inputBytes = 4;
    let fanout: LoadgenResult | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const arena = await attempt('arena', () => colyseusPoint(`colyseus-all-moving-${round}`, CLIENTS, {}));
      cpu.arena.push(botSample(arena.report));
      if (!allMoving) {
        allMoving = arena;
        patchBytes = Math.max(9, Math.round(arena.report.summary.server?.patchFrameBytes ?? 64));
        inputBytes = Math.max(1, Math.round((arena.report.summary.perClient.bytesOutPerS ?? 120) / 30));
      }
      cpu.stock.push(botSample(await attempt('stock', () => stockPoint(`stock-room-${round}`))));
      const fan = await startServer('bench/baseline/fanoutServer.ts', { FRAME_BYTES: String(patchBytes) }, '/healthz');
      const fanResult = await loadgen(`bare-fanout-${round}`, fan.port, 'fanout', 1, inputBytes).finally(() =>
        stop(fan.child),
      );
      fanout ??= fanResult;
      cpu.fanout.push(loadgenSample(fanResult));
      const json = await startServer('bench/baseline/jsonServer.ts', {}, '/healthz');
      const jsonResult = await loadgen(`json-all-moving-${round}`, json.port, 'json', 1, inputBytes).finally(() =>
        stop(json.child),
      );
      jsonAll ??= jsonResult;
      cpu.json.push(loadgenSample(jsonResult));
    }

    const fewMoving = await attempt('few', () => colyseusPoint('colyseus-few-moving', CLIENTS, {}, ['--movers', few]));
    const json2 = await startServer('bench/baseline/jsonServer.ts', {}, '/healthz');
    const jsonFew = await loadgen('json-few-moving', json2.port, 'json', 2 / 16, inputBytes).finally(() =>
      stop(json2.child),
    );

    const rooms32 = await attempt('rooms32', () =>
      colyseusPoint('colyseus-32-per-room', CLIENTS, { MAX_PLAYERS: '32' }),
    );

    const capacity: CapacityStep[] = [];
    for (const n of CAPACITY_STEPS) {
      const { report, idleHeapBytes } = await attempt(`capacity-${n}`, () =>
        colyseusPoint(`capacity-${n}`, n, {}, ['--chat-interval', '60'], POINT_S + 2, QUICK ? 2 : 8),
      );
      capacity.push({ bots: n, report, idleHeapBytes });
    }
    const heap = await heaps();
    const profile = PROFILE ? await profiles() : undefined;

    const results: BenchResults = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        pinned: TASKSET,
        ...(NICE === undefined ? {} : { nice: Number(NICE) }),
        loadAverage: { before: loadBefore, after: loadAverage() },
      },
      quick: QUICK,
      clientsPerPoint: CLIENTS,
      pointSeconds: POINT_S,
      patchBytes,
      inputBytes,
      colyseus: { allMoving: allMoving!.report, fewMoving: fewMoving.report, rooms32: rooms32.report },
      json: { allMoving: jsonAll!, fewMoving: jsonFew },
      fanout: fanout!,
      cpu,
      capacity,
      heap,
      profile,
      runtimeS: Math.round((Date.now() - started) / 1000),
    };
    const outDir = QUICK ? tmp : path.join(ROOT, 'bench');
    const { markdown, svg } = renderResults(results, await notes());
    await writeFile(path.join(outDir, 'results.md'), markdown);
    await writeFile(path.join(outDir, 'results.svg'), svg);
    await writeFile(
      path.join(outDir, 'results.json'),
      `${JSON.stringify(results, (k, v) => (k === 'series' ? undefined : v), 2)}\n`,
    );
    log(`wrote ${path.join(outDir, 'results.md')} (+ .svg, .json) in ${results.runtimeS} s`);
  } finally {
    if (!QUICK) await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
