/**
 * `npm run bench:bots`: how many bots one core of the load generator holds,
 * with one worker thread against two (`--workers`), side by side.
 *
 * Starts one server (`node --import tsx server/index.ts`, pinned to core 0
 * with taskset when there are two cores), then runs the bots CLI at the same
 * load with 1 and with 2 workers, alternating, BENCH_REPEATS times each.
 * Bots per core = connected bots / (CPU of the whole bot process / one core),
 * over the measured window. Writes bench/results-bots.md. Env: BENCH_BOTS
 * (default 300), BENCH_SECONDS (30, of which a third is the ramp),
 * BENCH_REPEATS (3).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BotReport } from '../bots/report.ts';
import { botsPerCore } from '../bots/report.ts';
import { freePort, waitFor } from '../harness/net.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BOTS = Number(process.env.BENCH_BOTS ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const WORKERS = [1, 2] as const;
const TASKSET = os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const log = (msg: string): void => void process.stdout.write(`[bench:bots] ${msg}\n`);

interface Run {
  workers: number;
  connected: number;
  cpuPercent: number;
  perCore: number;
  rttP99: number | null;
  updateP99: number | null;
  loopLagP99: number | null;
  skippedTicks: number;
  errors: number;
}

function cli(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bots/cli.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (xs: number[], digits = 0): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

async function main(): Promise<void> {
  const port = await freePort();
  const node = [process.execPath, '--import', 'tsx', 'server/index.ts'];
  const [cmd, args] = TASKSET ? ['taskset', ['-c', '0', ...node]] : [node[0]!, node.slice(1)];
  const server: ChildProcess = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-bots-'));
  const runs: Run[] = [];
  try {
    await waitFor(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
      'server ready',
      30_000,
      200,
    );
    log(
      `${BOTS} bots, ${SECONDS} s runs, ${REPEATS} repeats, ${TASKSET ? 'server on core 0 (taskset), bots unpinned' : 'no pinning'}`,
    );
    for (let r = 0; r < REPEATS; r++) {
      // Alternate which goes first, so a slow spell on the shared machine does not hit one side only.
      for (const workers of r % 2 === 0 ? WORKERS : [...WORKERS].reverse()) {
        const reportDir = path.join(dir, `w${workers}-r${r}`);
        const code = await cli([
          '--url',
          url,
          '--bots',
          String(BOTS),
          '--duration',
          `${SECONDS}s`,
          '--ramp',
          `${Math.round(SECONDS / 3)}s`,
          '--workers',
          String(workers),
          '--quiet',
          '--no-metrics',
          '--report-dir',
          reportDir,
        ]);
        const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as BotReport;
        const s = report.summary;
        const run: Run = {
          workers,
          connected: s.bots.connectedMax,
          cpuPercent: s.botProcess.cpuPercent ?? Number.NaN,
          perCore: botsPerCore(report) ?? Number.NaN,
          rttP99: s.rttMs.p99,
          updateP99: s.updateIntervalMs.p99,
          loopLagP99: s.botProcess.eventLoopLagP99Ms,
          skippedTicks: s.bots.skippedTicks,
          errors: s.bots.errors + s.bots.joinErrors,
        };
        runs.push(run);
        log(
          `workers ${workers}, run ${r + 1}: exit ${code}, ${run.connected} bots, CPU ${run.cpuPercent} % → ${run.perCore.toFixed(0)} bots/core, RTT p99 ${run.rttP99} ms`,
        );
      }
    }
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = WORKERS.map((w) => {
    const rs = runs.filter((r) => r.workers === w);
    const col = (read: (r: Run) => number | null, digits = 0): string =>
      fmt(
        rs.map((r) => read(r) ?? Number.NaN),
        digits,
      );
    return `| ${w} | ${col((r) => r.connected)} | ${col((r) => r.cpuPercent, 1)} | **${col((r) => r.perCore)}** | ${col((r) => r.rttP99, 1)} | ${col((r) => r.updateP99, 1)} | ${col((r) => r.loopLagP99, 1)} | ${col((r) => r.skippedTicks)} | ${col((r) => r.errors)} |`;
  });
  const md = `# Bots per load-generator core

Run ${new Date().toISOString()} by \`npm run bench:bots\` on ${os.availableParallelism()} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'CPU'}, Node ${process.version}: ${BOTS} bots against one local server (${TASKSET ? 'pinned to core 0 with taskset; the bots are not pinned' : 'no pinning'}), ${SECONDS} s per run with a ${Math.round(SECONDS / 3)} s ramp, measured after the ramp, ${REPEATS} runs per setting, alternating. Medians (min–max).

| Workers | Bots connected | Bot process CPU (% of a core) | Bots per core | RTT p99 (ms) | Update interval p99 (ms) | Bot event-loop lag p99 (ms) | Skipped ticks | Errors |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Bots per core is the connected bots divided by the CPU the whole bot process used (all its threads) over the measured window.
`;
  writeFileSync(path.join(ROOT, 'bench', 'results-bots.md'), md);
  log('wrote bench/results-bots.md');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
