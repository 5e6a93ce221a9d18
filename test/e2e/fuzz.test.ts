/**
 * A fuzzer against a room with honest players, on real processes: the server
 * in one, a swarm of hostile clients in another (test/helpers/fuzzer.ts), the
 * honest players here, moving every tick. First a calm run measures how
 * regularly the honest players get state patches (the time between
 * `onStateChange` events); then the swarm attacks the same room for
 * FUZZ_SECONDS (default 30, as the issue asks). The server must stay up,
 * drop every hostile session with one of the close codes meant for it, never
 * drop an honest player, and keep sending the honest players their patches:
 * the patch interval p99 under attack stays under {@link MAX_PATCH_GAP_P99_MS}
 * (a few ticks) plus this process's own stall (see there), a bound that holds
 * on a busy 2-core machine. How close the attack p99 is to the calm one is a
 * ratio for the benchmarks; the test prints both.
 *
 * Env: FUZZ_SECONDS (attack length), FUZZ_CALM_SECONDS (calm measurement),
 * FUZZ_SEED (the swarm's PRNG seed; printed in the test name, so a failing
 * run can be replayed).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { Client, CloseCode, type Room } from '@colyseus/sdk';
import { TICK_RATE_HZ } from '../../shared/constants.ts';
import { ArenaCloseCode } from '../../shared/messages.ts';
import { freePort, sleep, waitFor } from '../../harness/net.ts';
import { statePatches } from '../helpers/roomEvents.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
/** Length of the attack, in seconds. */
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 30);
/** Length of the calm measurement before it, in seconds. */
const CALM_SECONDS = Number(process.env.FUZZ_CALM_SECONDS ?? 5);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const HONEST = 4;
const FUZZERS = 6;
const TICK_MS = 1000 / TICK_RATE_HZ;
/** Close codes a hostile session may end with: ours (strikes), Colyseus's flood cut, ws's size limit. */
const CUT_CODES = new Set<number>([ArenaCloseCode.Misbehaviour, CloseCode.WITH_ERROR, 1009]);

/**
 * Largest honest patch-interval p99 allowed under attack from the server:
 * four ticks. Calm is one tick plus jitter (~35–45 ms); a loaded 2-core
 * machine was seen at ~66 ms under attack; a server the swarm stalls (patches
 * stopping for a tenth of a second and more) fails.
 *
 * The intervals are timed here, in the observer: when this process is itself
 * descheduled (a heavily loaded machine), patches that arrived on time are
 * handled late, and that gap would be counted against the server. So the
 * bound the test asserts is this plus this process's own event-loop delay p99
 * over the same attack window (`monitorEventLoopDelay`): the absolute bound
 * stays, and only the observer's stall is forgiven. Node's histogram records
 * the whole interval of its sampling timer, {@link LOOP_RESOLUTION_MS} even
 * on an idle loop, so the stall is its p99 less that. Both are printed.
 */
const MAX_PATCH_GAP_P99_MS = 4 * TICK_MS;

/** Sampling interval of this process's event-loop delay histogram, in ms. */
const LOOP_RESOLUTION_MS = 5;

/** Patch intervals seen by the honest players, in ms. */
class Intervals {
  readonly samples: number[] = [];
  private readonly last = new Map<Room, number>();
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
  quantile(q: number): number {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
  }
  describe(): string {
    return `p50 ${this.quantile(0.5).toFixed(1)} / p99 ${this.quantile(0.99).toFixed(1)} / max ${Math.max(...this.samples).toFixed(1)} ms over ${this.samples.length}`;
  }
}

describe('fuzzing a room with honest players in it', { timeout: (FUZZ_SECONDS + CALM_SECONDS + 90) * 1000 }, () => {
  let server: ChildProcess;
  let url: string;
  let timer: NodeJS.Timeout | undefined;
  const honest: Room[] = [];
  const problems: string[] = [];
  const intervals = new Intervals();
  /** This process's own event-loop delay: patch jitter that is ours, not the server's. */
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });

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
    await waitFor(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
      'the server is ready',
      120_000, // a cap: tsx compiles the server first, over 30 s at load average 34
      100,
    );
    for (let i = 0; i < HONEST; i++) {
      const client = new Client(url);
      const room =
        i === 0
          ? await client.create('arena', { name: `Honest${i}` })
          : await client.joinById(honest[0]!.roomId, { name: `Honest${i}` });
      room.onStateChange(() => intervals.record(room));
      room.onMessage('*', () => undefined);
      room.onDrop((code) => problems.push(`Honest${i} dropped (${code})`));
      room.onLeave((code) => problems.push(`Honest${i} left (${code})`));
      honest.push(room);
    }
    // Honest players move every tick, like a game client.
    const inputs = honest.map((room) => room.input<{ moveX: number; moveY: number; aimRad: number }>());
    let tick = 0;
    timer = setInterval(() => {
      tick += 1;
      inputs.forEach((input, i) => {
        input.data.moveX = Math.sin(tick / 20 + i) > 0 ? 1 : -1;
        input.data.moveY = Math.cos(tick / 25 + i) > 0 ? 1 : -1;
        input.data.aimRad = (tick / 10) % (2 * Math.PI);
        input.send();
      });
    }, TICK_MS);
  });

  after(async () => {
    clearInterval(timer);
    for (const room of honest) {
      room.onLeave.clear();
      room.reconnection.enabled = false;
      await room.leave().catch(() => undefined);
    }
    server?.kill('SIGKILL');
  });

  it(`stays up, drops every hostile session and keeps honest players' patches regular (seed ${SEED})`, async (t) => {
    // Joins settled: every honest player has a second of patches behind it.
    await Promise.all(honest.map((room) => statePatches(room, 30)));
    intervals.reset();
    loopDelay.enable();
    await sleep(CALM_SECONDS * 1000);
    const calm = { p99: intervals.quantile(0.99), text: intervals.describe(), loopP99: loopDelay.percentile(99) / 1e6 };

    intervals.reset();
    loopDelay.reset();
    const fuzzer = spawn(
      NODE,
      [
        '--import',
        'tsx',
        'test/helpers/fuzzer.ts',
        url,
        honest[0]!.roomId,
        String(FUZZ_SECONDS),
        String(FUZZERS),
        String(SEED),
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    fuzzer.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exitCode = await new Promise<number | null>((resolve) => fuzzer.on('close', resolve));
    const fuzz = { p99: intervals.quantile(0.99), text: intervals.describe(), loopP99: loopDelay.percentile(99) / 1e6 };
    loopDelay.disable();
    assert.equal(exitCode, 0, `the fuzzer ran to the end (seed ${SEED})`);
    const summary = JSON.parse(out.trim()) as {
      sessions: number;
      dropped: number;
      survived: number;
      joinFailures: number;
      codes: Record<string, number>;
    };
    t.diagnostic(`calm: ${calm.text}, own event-loop delay p99 ${calm.loopP99.toFixed(1)} ms`);
    // The server's bound plus the observer's own stall over the attack window (see MAX_PATCH_GAP_P99_MS).
    const ownStallMs = Math.max(0, fuzz.loopP99 - LOOP_RESOLUTION_MS);
    const allowedP99 = MAX_PATCH_GAP_P99_MS + ownStallMs;
    t.diagnostic(
      `fuzz: ${fuzz.text}, own event-loop delay p99 ${fuzz.loopP99.toFixed(1)} ms; allowed p99 ${allowedP99.toFixed(1)} ms` +
        ` (${MAX_PATCH_GAP_P99_MS.toFixed(1)} ms + own stall ${ownStallMs.toFixed(1)} ms)`,
    );
    t.diagnostic(`fuzzer (seed ${SEED}): ${JSON.stringify(summary)}`);

    assert.equal(server.exitCode, null, 'the server is still running');
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.deepEqual(problems, [], 'no honest player was dropped');
    assert.ok(summary.sessions >= FUZZERS, 'the hostile clients got in');
    assert.equal(summary.survived, 0, `every hostile session was dropped by the server (seed ${SEED})`);
    assert.equal(summary.dropped, summary.sessions);
    for (const code of Object.keys(summary.codes))
      assert.ok(CUT_CODES.has(Number(code)), `hostile sessions closed with ${code} (seed ${SEED})`);
    assert.ok(
      fuzz.p99 <= allowedP99,
      `patch interval p99 under fuzz ${fuzz.p99.toFixed(1)} ms is under ${allowedP99.toFixed(1)} ms ` +
        `(${MAX_PATCH_GAP_P99_MS.toFixed(1)} ms + own stall ${ownStallMs.toFixed(1)} ms; ` +
        `calm ${calm.p99.toFixed(1)} ms, seed ${SEED})`,
    );
    // Nobody hostile lingers in the room.
    await waitFor(() => honest[0]!.state.players.size === HONEST, 'only the honest players remain', 3000);
  });
});
