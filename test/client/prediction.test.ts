/**
 * Client-side prediction against the real server: a Node SDK client wires
 * `Predict` + `reconciler` exactly as the browser client does (same shared
 * `applyInput` step, same fixed step from the handshake), plays a scripted
 * walk that runs into walls and slides along them, and must land on the
 * server's authoritative position bit for bit, without a single correction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Room } from '@colyseus/sdk';
import { Predict } from '@colyseus/sdk/predict';
import { PLAYER_RADIUS_PX, TICK_RATE_HZ } from '../../shared/constants.ts';
import { ARENA_MAP, type Point } from '../../shared/map.ts';
import type { PlayerInput } from '../../shared/input.ts';
import { applyInput } from '../../shared/sim.ts';
import type { ArenaState } from '../../shared/state.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

/** The cover block in the middle of the hall: x 760–840, y 420–580. */
const WALL = ARENA_MAP.walls[0]!;

/** [moveX, moveY, inputs]: into the wall, along it, round its corner, back into it from below. */
const SCRIPT: Array<[number, number, number]> = [
  [1, 0, 12],
  [1, 1, 10],
  [0, 1, 8],
  [1, 0, 6],
  [0, -1, 10],
  [-1, -1, 8],
  [0, 0, 4],
  [-1, 0, 6],
  [1, -1, 6],
];

const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 8));

describe('client prediction', () => {
  let t: TestApp;

  before(async () => {
    t = await bootTestApp();
  });

  after(async () => {
    await t.colyseus.shutdown();
  });

  it('predicts exactly the position the server computes from the same inputs', async () => {
    const room: Room<ArenaRoom, ArenaState> = await t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Predictor' });
    try {
      await waitFor(() => room.state.players?.get(room.sessionId) !== undefined, 'own player');
      const start: Point = { x: WALL.x - PLAYER_RADIUS_PX - 40, y: 500 };
      const serverRoom = t.colyseus.getRoomById<ArenaRoom>(room.roomId);
      const authoritative = serverRoom.state.players.get(room.sessionId)!;
      authoritative.x = start.x;
      authoritative.y = start.y;
      const player = room.state.players.get(room.sessionId)!;
      await waitFor(() => player.x === start.x && player.y === start.y, 'the start position to arrive');

      // Wired as in the browser client.
      const input = room.input<PlayerInput>();
      assert.equal(input.tickRate, TICK_RATE_HZ, 'the handshake advertises the server tick rate');
      const predict = Predict.get(room);
      // What the client predicted after each input it sent (live steps, not replays)…
      const predicted = new Map<number, Point>();
      // …and, at each reconcile, how far the server's truth for that input was from it.
      const misses: Array<{ seq: number; dx: number; dy: number }> = [];
      const me = predict.reconciler(player, {
        input,
        fields: ['x', 'y', 'alive'],
        step: (ctx, s, cmd) => {
          applyInput(s, cmd, ARENA_MAP, ctx.dt);
          if (!ctx.isReplay) predicted.set(ctx.tick, { x: s.x, y: s.y });
        },
        onReconcile: (acked) => {
          const p = predicted.get(acked);
          if (p) misses.push({ seq: acked, dx: player.x - p.x, dy: player.y - p.y });
        },
        // Turns on the reconciler's drift telemetry (lastCorrectionMag, drift); any divergence at all warns.
        warnOnDivergence: Number.EPSILON,
      });
      assert.equal(me.state.x, start.x);

      const frames = SCRIPT.flatMap(([mx, my, n]) => Array.from({ length: n }, () => [mx, my] as const));
      const corrections: number[] = [];
      let seenReconcile = me.reconcileSeq;
      const observe = () => {
        if (me.reconcileSeq !== seenReconcile) {
          seenReconcile = me.reconcileSeq;
          corrections.push(me.lastCorrectionMag);
        }
      };

      let next = 0;
      let touchedWall = false;
      while (next < frames.length) {
        const due = predict.tick(performance.now());
        for (let i = 0; i < due && next < frames.length; i++, next++) {
          const [mx, my] = frames[next]!;
          input.data.moveX = mx;
          input.data.moveY = my;
          input.send();
          if (me.state.x === WALL.x - PLAYER_RADIUS_PX) touchedWall = true;
        }
        observe();
        await nextFrame();
      }
      await waitFor(() => {
        predict.tick(performance.now());
        observe();
        return input.lastProcessed === input.sentCount && me.pendingCount === 0;
      }, 'every input to be acked and reconciled');
      predict.tick(performance.now());
      observe();

      assert.equal(input.sentCount, frames.length);
      assert.ok(touchedWall, 'the script pushed into the wall');
      // The authoritative position, as the server holds it and as the client received it.
      assert.equal(me.state.x, authoritative.x);
      assert.equal(me.state.y, authoritative.y);
      assert.equal(me.state.x, player.x);
      assert.equal(me.state.y, player.y);
      assert.equal(me.state.alive, true);

      // And both equal an offline replay of the script, which the walls bent.
      const offline = { x: start.x, y: start.y, alive: true };
      for (const [mx, my] of frames) applyInput(offline, { moveX: mx, moveY: my }, ARENA_MAP, 1 / TICK_RATE_HZ);
      assert.deepEqual({ x: me.state.x, y: me.state.y }, { x: offline.x, y: offline.y });
      const unobstructed = SCRIPT.reduce((p, [mx, my, n]) => ({ x: p.x + mx * n, y: p.y + my * n }), { x: 0, y: 0 });
      assert.notEqual(unobstructed.x, 0, 'sanity: the script has net horizontal travel');

      assert.ok(misses.length >= 10, `only ${misses.length} reconciles compared`);
      assert.deepEqual(
        misses.filter((m) => m.dx !== 0 || m.dy !== 0),
        [],
        'the server agreed with every prediction it acknowledged, to the bit',
      );
      assert.ok(corrections.length >= 10, `only ${corrections.length} reconciles observed`);
      assert.deepEqual(
        corrections,
        corrections.map(() => 0),
        'no reconcile had to correct the prediction',
      );
      assert.equal(me.drift.ema, 0);
      assert.equal(me.drift.peak, 0);
    } finally {
      await room.leave();
    }
  });
});
