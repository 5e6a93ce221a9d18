/**
 * `npm run feel`: how the game feels on a real-world network. Each run puts
 * instrumented clients (the browser's own netcode in SDK clients) behind a
 * user-space impairment proxy in front of the real server and measures, from
 * the players' side: input → other player's update, how far remote players
 * are drawn behind the server, prediction corrections, shot agreement, and
 * the server's input queue per client.
 *
 *   npm run feel                                   # every profile below, 3 runs each → bench/results-feel.md
 *   npm run feel -- --rtt 100 --jitter 10 --loss 2 # one profile, printed
 *
 * Options: --rtt MS, --jitter MS, --loss PCT, --runs N (3), --duration S (20),
 * --clients N (4), --browser (add a real chromium player; needs dist/client).
 * Each run is its own process (a fresh server and matchmaker).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { NetworkProfile } from './feel/impairment.ts';
import type { RunOptions, RunResult } from './feel/run.ts';
import { renderFeel, type ProfileResult } from './feel/report.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

const PROFILES: Array<{ name: string; profile: NetworkProfile }> = [
  { name: 'loopback', profile: { rttMs: 0, jitterMs: 0, lossPct: 0 } },
  { name: '50 ms RTT', profile: { rttMs: 50, jitterMs: 0, lossPct: 0 } },
  { name: '100 ms ± 10 ms, 2 % loss', profile: { rttMs: 100, jitterMs: 10, lossPct: 2 } },
  { name: '200 ms RTT', profile: { rttMs: 200, jitterMs: 0, lossPct: 0 } },
];

function positive(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > max) {
    process.stderr.write(`--${name} must be a number from 0 to ${max}, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

function runInChild(options: RunOptions): RunResult {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/feel/run.ts'), JSON.stringify(options)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: (options.warmupS + options.durationS + 120) * 1000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    throw new Error(`feel run failed (${child.status}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(line) as RunResult;
}

const { values } = parseArgs({
  options: {
    rtt: { type: 'string' },
    jitter: { type: 'string' },
    loss: { type: 'string' },
    runs: { type: 'string' },
    duration: { type: 'string' },
    clients: { type: 'string' },
    browser: { type: 'boolean' },
  },
});
const runs = Math.max(1, Math.round(positive('runs', values.runs, 3, 20)));
const durationS = positive('duration', values.duration, 20, 600);
const clients = Math.max(2, Math.round(positive('clients', values.clients, 4, 16)));
const single = values.rtt !== undefined || values.jitter !== undefined || values.loss !== undefined;
const profiles = single
  ? [
      {
        name: 'custom',
        profile: {
          rttMs: positive('rtt', values.rtt, 0, 2000),
          jitterMs: positive('jitter', values.jitter, 0, 1000),
          lossPct: positive('loss', values.loss, 0, 50),
        },
      },
    ]
  : PROFILES;

const results: ProfileResult[] = [];
for (const { name, profile } of profiles) {
  const runsOf: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    process.stdout.write(`[feel] ${name}: run ${i + 1}/${runs} (${durationS} s)…\n`);
    runsOf.push(
      runInChild({ profile, clients, warmupS: 4, durationS, seed: 1000 + i, browser: values.browser === true }),
    );
  }
  results.push({ name, profile, runs: runsOf });
}
const markdown = renderFeel(results, { runs, durationS, clients });
if (single) process.stdout.write(`${markdown}\n`);
else {
  writeFileSync(path.join(ROOT, 'bench/results-feel.md'), markdown);
  process.stdout.write(`${markdown}\n[feel] wrote bench/results-feel.md\n`);
}
