/** The bots' play, by the shared rules: they roam without walking into walls, aim at the nearest enemy and only fire with a clear line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLAYER_RADIUS_PX, TICK_RATE_HZ } from '../../shared/constants.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { applyInput, isBlocked } from '../../shared/sim.ts';
import { decide, hasLineOfSight, isOpenDirection, newMemory, SHOT_RANGE_PX } from '../../bots/brain.ts';
import { seededRandom } from '../../shared/random.ts';
import { behaviourOf } from '../../bots/fleet.ts';

const DT = 1 / TICK_RATE_HZ;
const CENTRE_WALL = ARENA_MAP.walls[0]!; // x 760–840, y 420–580

describe('bot brain', () => {
  it('roams the whole hall for a long time without ever pressing into a wall', () => {
    for (const [i, spawn] of ARENA_MAP.spawns.entries()) {
      const random = seededRandom(100 + i);
      const memory = newMemory(random);
      const body = { x: spawn.x, y: spawn.y, alive: true };
      let stuckTicks = 0;
      let travelled = 0;
      for (let tick = 0; tick < 1800; tick++) {
        const input = decide(memory, { self: body, enemies: [] }, ARENA_MAP, DT, random);
        const before = { x: body.x, y: body.y };
        applyInput(body, input, ARENA_MAP, DT);
        assert.equal(
          isBlocked(ARENA_MAP, body.x, body.y),
          false,
          `spawn ${i}, tick ${tick}: inside a wall at (${body.x}, ${body.y})`,
        );
        const step = Math.hypot(body.x - before.x, body.y - before.y);
        travelled += step;
        stuckTicks = step < 0.5 ? stuckTicks + 1 : 0;
        assert.ok(stuckTicks < 5, `spawn ${i}, tick ${tick}: stuck at (${body.x}, ${body.y})`);
      }
      assert.ok(travelled > 5000, `spawn ${i}: moved ${travelled} px in a minute`);
    }
  });

  it('turns away before a wall it is heading into', () => {
    const from = { x: CENTRE_WALL.x - PLAYER_RADIUS_PX - 10, y: 500 };
    assert.equal(isOpenDirection(ARENA_MAP, from, 0, DT), false, 'east runs into the centre block');
    const memory = { direction: 0, ticksLeft: 100, aimRad: 0 };
    const input = decide(memory, { self: { ...from, alive: true }, enemies: [] }, ARENA_MAP, DT, seededRandom(1));
    assert.notEqual(input.moveX, 1, 'it no longer walks east');
    assert.equal(isOpenDirection(ARENA_MAP, from, memory.direction, DT), true);
  });

  it('aims at the nearest living enemy and fires when the line is clear', () => {
    const self = { x: 300, y: 380, alive: true };
    const near = { x: 500, y: 380 };
    const far = { x: 100, y: 700 };
    const input = decide(newMemory(seededRandom(2)), { self, enemies: [far, near] }, ARENA_MAP, DT, seededRandom(2));
    assert.ok(Math.abs(input.aimRad - 0) < 1e-9, `aims east at the nearest, got ${input.aimRad}`);
    assert.equal(input.fire, true);
  });

  it('holds fire with a wall in the way or the enemy out of range', () => {
    const self = { x: CENTRE_WALL.x - 60, y: 500, alive: true };
    const behindWall = { x: CENTRE_WALL.x + CENTRE_WALL.w + 60, y: 500 };
    assert.equal(hasLineOfSight(ARENA_MAP, self, behindWall), false);
    const blocked = decide(newMemory(seededRandom(3)), { self, enemies: [behindWall] }, ARENA_MAP, DT, seededRandom(3));
    assert.equal(blocked.fire, false);
    assert.ok(Math.abs(blocked.aimRad) < 1e-9, 'still aims at it');

    const lane = { x: 40, y: 380, alive: true };
    const distant = { x: 40 + SHOT_RANGE_PX + 50, y: 380 };
    assert.equal(hasLineOfSight(ARENA_MAP, lane, distant), true);
    assert.equal(
      decide(newMemory(seededRandom(4)), { self: lane, enemies: [distant] }, ARENA_MAP, DT, seededRandom(4)).fire,
      false,
    );
  });

  it('wanders without a view of the state, and does not shoot from the grave', () => {
    const blind = decide(newMemory(seededRandom(5)), { self: undefined, enemies: [] }, ARENA_MAP, DT, seededRandom(5));
    assert.ok(blind.moveX !== 0 || blind.moveY !== 0);
    const dead = decide(
      newMemory(seededRandom(6)),
      { self: { x: 300, y: 380, alive: false }, enemies: [{ x: 400, y: 380 }] },
      ARENA_MAP,
      DT,
      seededRandom(6),
    );
    assert.equal(dead.fire, false);
  });

  it('is reproducible from its seed', () => {
    const run = (seed: number) => {
      const random = seededRandom(seed);
      const memory = newMemory(random);
      const body = { x: 80, y: 80, alive: true };
      const out = [];
      for (let i = 0; i < 200; i++) {
        const input = decide(memory, { self: body, enemies: [{ x: 1500, y: 900 }] }, ARENA_MAP, DT, random);
        applyInput(body, input, ARENA_MAP, DT);
        out.push(input);
      }
      return out;
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });

  it('spreads movers evenly over join order', () => {
    const pattern = (share: number, n: number) => Array.from({ length: n }, (_, i) => behaviourOf(i, share));
    assert.ok(pattern(1, 16).every((b) => b === 'play'));
    assert.ok(pattern(0, 16).every((b) => b === 'idle'));
    const eighth = pattern(0.125, 32);
    assert.equal(eighth.filter((b) => b === 'play').length, 4);
    for (let room = 0; room < 2; room++)
      assert.equal(
        eighth.slice(room * 16, room * 16 + 16).filter((b) => b === 'play').length,
        2,
        'two movers in every 16',
      );
  });
});
