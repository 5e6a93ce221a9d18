/**
 * A fuzzer against a room with honest players, on real processes: the server
 * in one, a swarm of hostile clients in another (test/helpers/fuzzer.ts), the
 * honest players here. First a calm run measures how regularly the honest
 * players get state updates; then the swarm attacks the same room for
 * FUZZ_SECONDS (default 30, as the issue asks). The server must stay up,
 * drop every hostile session, never drop an honest player, and keep the
 * honest players' update interval p99 within 10% of the calm run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import { freePort, sleep, waitFor } from '../helpers/net.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 30);
const CALM_SECONDS = 12;
const HONEST = 4;
const FUZZERS = 6;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);

/** Update intervals seen by the honest players, in ms. */
class Intervals {
  readonly samples: number[] = [];
  private last = new Map<Room, number>();
  record(room: Room): void {
    const now = performance.now();
    const prev = this.last.get(room);
    if (prev !== undefined) this.samples.push(now - prev);
    this.last.set(room, now);
  }
  reset(): void {
    this.samples.length = 0;
    this.last.clear();
  }
  p99(): number {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
  }
}

describe('fuzzing a room with honest players in it', { timeout: (FUZZ_SECONDS + 90) * 1000 }, () => {
  let server: ChildProcess;
  let url: string;
  const honest: Room[] = [];
  const problems: string[] = [];
  const intervals = new Intervals();

  before(async () => {
    const port = await freePort();
    // Colyseus prints a stack trace for every undecodable message to stderr: drain it, keep only whether the process lives.
    server = spawn(NODE, ['--import', 'tsx', 'server/index.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'error', REDIS_URL: '', ROUND_DURATION_MS: '600000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr!.resume();
    url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 'the server is ready', 30_000, 100);
    for (let i = 0; i < HONEST; i++) {
      const room = i === 0 ? await new Client(url).create('arena', { name: `Honest${i}` }) : await new Client(url).joinById(honest[0]!.roomId, { name: `Honest${i}` });
      room.onStateChange(() => intervals.record(room));
      room.onDrop((code) => problems.push(`Honest${i} dropped (${code})`));
      room.onLeave((code) => problems.push(`Honest${i} left (${code})`));
      honest.push(room);
    }
    // Honest players move every tick, like a game client.
    const inputs = honest.map((room) => room.input<{ moveX: number; moveY: number; aimRad: number }>());
    let tick = 0;
    const timer = setInterval(() => {
      tick += 1;
      inputs.forEach((input, i) => {
        input.data.moveX = Math.sin(tick / 20 + i) > 0 ? 1 : -1;
        input.data.moveY = Math.cos(tick / 25 + i) > 0 ? 1 : -1;
        input.data.aimRad = (tick / 10) % (2 * Math.PI);
        input.send();
      });
    }, 1000 / 30);
    timer.unref();
  });

  after(async () => {
    for (const room of honest) {
      room.reconnection.enabled = false;
      await room.leave().catch(() => undefined);
    }
    server?.kill('SIGKILL');
  });

  it(`stays up, drops every hostile session and keeps honest players' updates regular (seed ${SEED})`, async (t) => {
    await sleep(2000);
    intervals.reset();
    await sleep(CALM_SECONDS * 1000);
    const calmP99 = intervals.p99();
    const calmCount = intervals.samples.length;

    intervals.reset();
    const fuzzer = spawn(NODE, ['--import', 'tsx', 'test/helpers/fuzzer.ts', url, honest[0]!.roomId, String(FUZZ_SECONDS), String(FUZZERS), String(SEED)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    fuzzer.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => fuzzer.on('close', resolve));
    const fuzzP99 = intervals.p99();
    assert.equal(code, 0, 'the fuzzer ran to the end');
    const summary = JSON.parse(out.trim()) as { sessions: number; dropped: number; survived: number; endedByDeadline: number; joinFailures: number; codes: Record<string, number> };
    t.diagnostic(`calm p99 ${calmP99.toFixed(1)} ms (${calmCount} updates), under fuzz p99 ${fuzzP99.toFixed(1)} ms (${intervals.samples.length}); fuzzer ${JSON.stringify(summary)}`);

    assert.equal(server.exitCode, null, 'the server is still running');
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.deepEqual(problems, [], 'no honest player was dropped');
    assert.ok(summary.sessions >= FUZZERS, 'the hostile clients got in');
    assert.equal(summary.survived, 0, 'every hostile session was dropped by the server');
    assert.equal(summary.dropped + summary.endedByDeadline, summary.sessions);
    assert.ok(fuzzP99 <= calmP99 * 1.1, `update interval p99 under fuzz ${fuzzP99.toFixed(1)} ms is within 10% of calm ${calmP99.toFixed(1)} ms`);
    // Nobody hostile lingers in the room.
    await waitFor(() => honest[0]!.state.players.size === HONEST, 'only the honest players remain', 3000);
  });
});
