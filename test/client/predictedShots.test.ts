/**
 * Our own shots predicted with the shared rules: fired when the server will
 * fire, flown like the server flies them, matched to the server's projectile
 * (never drawn twice), dropped when the server never makes them, and judged
 * by the server's hit verdicts. The server side is the real match rules
 * (ArenaGame) driven tick by tick.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLAYER_RADIUS_PX, TICK_RATE_HZ } from '../../shared/constants.ts';
import type { InputFrame } from '../../shared/input.ts';
import { ARENA_MAP, type Point } from '../../shared/map.ts';
import type { HitEvent } from '../../shared/messages.ts';
import { applyInput } from '../../shared/sim.ts';
import type { Player } from '../../shared/state.ts';
import { ArenaGame, type TickSource } from '../../server/game/ArenaGame.ts';
import { COOLDOWN_STEPS, PredictedShots } from '../../client/net/predictedShots.ts';

const STEP_MS = 1000 / TICK_RATE_HZ;
const LANE_Y = 380;
const RULES = { tickRateHz: TICK_RATE_HZ, roundDurationMs: 60_000, scoreboardDurationMs: 1000, respawnDelayMs: 1000 };

class Source implements TickSource {
  readonly queue: InputFrame[] = [];
  nextInput(sid: string): InputFrame | undefined {
    return sid === 's' ? this.queue.shift() : undefined;
  }
  viewLagMs(): number {
    return 0;
  }
  positionAgo(player: Player): Point {
    return { x: player.x, y: player.y };
  }
}

const alive = (x: number, y: number) => ({ x, y, alive: true });

describe('PredictedShots', () => {
  it('fires exactly the shots the server fires, from the same muzzle, for a held trigger while walking', () => {
    const hits: HitEvent[] = [];
    const game = new ArenaGame(ARENA_MAP, RULES, {
      kill: () => {},
      roundOver: () => {},
      roundStarted: () => {},
      hit: (_s, e) => hits.push(e),
    });
    const server = game.addPlayer('s', 'Shooter');
    server.x = 200;
    server.y = LANE_Y;
    const source = new Source();
    const shots = new PredictedShots(ARENA_MAP);
    const me = { x: server.x, y: server.y, alive: true };
    const predicted: Point[] = [];
    const fired: Array<{ x: number; y: number; aimRad: number }> = [];
    for (let i = 0; i < 40; i++) {
      const input: InputFrame = { moveX: 1, moveY: i % 3 === 0 ? 1 : 0, aimRad: 0.3, fire: true };
      applyInput(me, input, ARENA_MAP, 1 / TICK_RATE_HZ);
      const shot = shots.onInputSent(me, input.fire, input.aimRad, true, i * STEP_MS);
      if (shot) predicted.push(shot.muzzle);
      source.queue.push(input);
      game.step(source);
      for (const p of game.state.projectiles.values())
        if (!fired.some((f) => f.aimRad === p.aimRad && f.x === p.x && f.y === p.y))
          fired.push({ x: p.x, y: p.y, aimRad: p.aimRad });
    }
    assert.equal(predicted.length, Math.ceil(40 / COOLDOWN_STEPS), 'one shot per cooldown');
    assert.equal(fired.length, predicted.length, 'one prediction per server shot');
    fired.forEach((f, i) => {
      assert.ok(
        Math.hypot(f.x - predicted[i]!.x, f.y - predicted[i]!.y) < 0.01,
        `shot ${i}: server (${f.x}, ${f.y}), predicted (${predicted[i]!.x}, ${predicted[i]!.y})`,
      );
    });
  });

  it('does not fire while dead, between rounds, during the cooldown, or into a wall', () => {
    const shots = new PredictedShots(ARENA_MAP);
    assert.equal(shots.onInputSent({ x: 200, y: LANE_Y, alive: false }, true, 0, true, 0), undefined);
    assert.equal(shots.onInputSent(alive(200, LANE_Y), true, 0, false, 0), undefined);
    assert.ok(shots.onInputSent(alive(200, LANE_Y), true, 0, true, 0));
    for (let i = 0; i < COOLDOWN_STEPS - 1; i++)
      assert.equal(shots.onInputSent(alive(200, LANE_Y), true, 0, true, 0), undefined, `input ${i} in the cooldown`);
    assert.ok(shots.onInputSent(alive(200, LANE_Y), true, 0, true, 0), 'fires again once the cooldown is over');
    const wall = ARENA_MAP.walls[0]!;
    const pressed = new PredictedShots(ARENA_MAP);
    assert.equal(
      pressed.onInputSent(alive(wall.x - PLAYER_RADIUS_PX, wall.y + 10), true, 0, true, 0),
      undefined,
      'muzzle inside cover',
    );
  });

  it('flies like the server: stops at a wall, or at a player where our screen shows them', () => {
    const shots = new PredictedShots(ARENA_MAP);
    const wall = ARENA_MAP.walls[0]!;
    const toWall = shots.onInputSent(alive(wall.x - 200, wall.y + 20), true, 0, true, 0)!;
    shots.advance(2000, [], 10_000);
    assert.equal(toWall.landed, true);
    assert.ok(Math.abs(toWall.body.x - (wall.x - 4)) < 1, `stopped at the wall face, at ${toWall.body.x}`);
    assert.equal(toWall.hitOnScreen, undefined);

    const atPlayer = new PredictedShots(ARENA_MAP);
    const shot = atPlayer.onInputSent(alive(100, LANE_Y), true, 0, true, 0)!;
    atPlayer.advance(STEP_MS * 3, [{ id: 'v', x: 400, y: LANE_Y }], 10_000);
    assert.equal(shot.landed, false, 'still in the air after three steps');
    atPlayer.advance(1000, [{ id: 'v', x: 400, y: LANE_Y }], 10_000);
    assert.equal(shot.hitOnScreen, 'v');
    assert.equal(atPlayer.flying().length, 0, 'a shot that hit is no longer drawn');
  });

  it('hands each server projectile to its prediction (oldest first), so no shot is drawn twice', () => {
    const shots = new PredictedShots(ARENA_MAP);
    const a = shots.onInputSent(alive(100, LANE_Y), true, 0, true, 0)!;
    for (let i = 0; i < COOLDOWN_STEPS; i++) shots.onInputSent(alive(100, LANE_Y), false, 0, true, 0);
    const b = shots.onInputSent(alive(150, LANE_Y), true, 0.5, true, 300)!;
    assert.equal(
      shots.confirm('x', { x: 500, y: 500, aimRad: 0 }),
      undefined,
      'a projectile from elsewhere is not ours',
    );
    assert.equal(shots.confirm('1', { ...a.muzzle, aimRad: 0 }), a);
    assert.equal(shots.confirm('2', { ...b.muzzle, aimRad: 0.5 }), b);
    assert.equal(shots.owns('1'), true);
    assert.equal(shots.confirm('3', { ...a.muzzle, aimRad: 0 }), undefined, 'a prediction is taken over once');
  });

  it('drops a prediction the server never confirms, and keeps the verdicts', () => {
    const shots = new PredictedShots(ARENA_MAP);
    shots.onInputSent(alive(100, LANE_Y), true, 0, true, 0);
    shots.advance(100, [], 400);
    assert.equal(shots.flying().length, 1);
    shots.advance(500, [], 400);
    assert.equal(shots.flying().length, 0);
    assert.equal(shots.summary().rejected, 1);

    const judged = new PredictedShots(ARENA_MAP);
    const target = { id: 'v', x: 300, y: LANE_Y };
    const hit = judged.onInputSent(alive(100, LANE_Y), true, 0, true, 0)!;
    judged.confirm('h', { ...hit.muzzle, aimRad: 0 });
    for (let i = 0; i < COOLDOWN_STEPS; i++) judged.onInputSent(alive(100, LANE_Y), false, 0, true, 0);
    const missed = judged.onInputSent(alive(100, LANE_Y), true, 0, true, 0)!;
    judged.confirm('m', { ...missed.muzzle, aimRad: 0 });
    judged.advance(2000, [target], 400);
    assert.equal(hit.hitOnScreen, 'v');
    judged.serverHit('h', 'v');
    judged.serverRemoved('h');
    judged.serverRemoved('m');
    judged.advance(2100, [target], 400);
    assert.deepEqual(judged.summary(), {
      predicted: 2,
      confirmed: 2,
      rejected: 0,
      unseen: 0,
      realigned: 0,
      hitsOnScreen: 2,
      hitsAgreed: 1,
      serverHits: 1,
    });
  });

  it('gives a point-blank hit, whose projectile never reached a patch, its verdict from the hit message', () => {
    const shots = new PredictedShots(ARENA_MAP);
    const shot = shots.onInputSent(alive(100, LANE_Y), true, 0, true, 0)!;
    shots.advance(1, [{ id: 'v', x: 130, y: LANE_Y }], 1000);
    assert.equal(shot.hitOnScreen, 'v');
    assert.equal(shots.serverHit('9', 'v'), shot, 'matched by its victim');
    assert.equal(shot.verdict, 'hit');

    // Into a wall point-blank: it ends in its first step and no projectile ever shows; not counted as refused.
    const wall = ARENA_MAP.walls[0]!;
    const blocked = new PredictedShots(ARENA_MAP);
    assert.ok(blocked.onInputSent(alive(wall.x - PLAYER_RADIUS_PX - 16, wall.y + 10), true, 0, true, 0));
    blocked.advance(1, [], 1000);
    blocked.advance(2000, [], 1000);
    assert.equal(blocked.summary().unseen, 1);
    assert.equal(blocked.summary().rejected, 0);
  });

  it('counts the cooldown again from a shot it did not predict, so later predictions fire with the server again', () => {
    const shots = new PredictedShots(ARENA_MAP);
    // We thought us dead for an input the server fired on (it had already respawned us).
    shots.onInputSent({ x: 100, y: LANE_Y, alive: false }, true, 0, true, 0);
    const serverMuzzle = { x: 100 + 18, y: LANE_Y, aimRad: 0 };
    for (let i = 1; i <= 3; i++) shots.onInputSent(alive(100 + 7 * i, LANE_Y), true, 0, true, 0);
    assert.equal(
      shots.confirm('s1', serverMuzzle),
      undefined,
      'not one of our predictions (ours left from further on)',
    );
    assert.equal(shots.summary().realigned, 1);
    // The server fired on input 1: its next shot is input 1 + COOLDOWN_STEPS; so is ours now.
    let next: number | undefined;
    for (let input = 5; input <= 20 && next === undefined; input++)
      if (shots.onInputSent(alive(100, LANE_Y), true, 0, true, 0)) next = input;
    assert.equal(next, 1 + COOLDOWN_STEPS);
  });
});
