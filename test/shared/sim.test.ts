/**
 * Over 300 lines on purpose: the rule tables of shared/sim.ts case by case;
 * short independent cases.
 *
 * The deterministic rules in shared/sim.ts, run exactly as the server and the
 * client's prediction run them: movement, walls, float32 rounding, projectiles,
 * hit tests, spawn choice, and bit-for-bit determinism over a long random run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MUZZLE_OFFSET_PX,
  PLAYER_RADIUS_PX,
  PLAYER_SPEED_PX_PER_S,
  PROJECTILE_LIFETIME_MS,
  PROJECTILE_RADIUS_PX,
  PROJECTILE_SPEED_PX_PER_S,
  TICK_RATE_HZ,
} from '../../shared/constants.ts';
import { ARENA_MAP, type ArenaMap, type Rect } from '../../shared/map.ts';
import {
  applyInput,
  axis,
  fireProjectile,
  isBlocked,
  pickSpawnPoint,
  segmentHitsCircle,
  segmentHitsRect,
  stepProjectile,
  traceProjectile,
  type PlayerBody,
  type ProjectileBody,
} from '../../shared/sim.ts';
import { seededRandom } from '../../shared/random.ts';
import { COMPASS_MOVES } from '../../shared/input.ts';

const DT = 1 / TICK_RATE_HZ;
const STEP_PX = PLAYER_SPEED_PX_PER_S * DT;
const R = PLAYER_RADIUS_PX;
/** The cover block in the middle of the hall: x 760–840, y 420–580. */
const CENTRE_WALL = ARENA_MAP.walls[0]!;
/** A thin (32 px) vertical wall: x 560–592, y 120–300. */
const THIN_WALL = ARENA_MAP.walls[5]!;

const body = (x: number, y: number, alive = true): PlayerBody => ({ x, y, alive });
const move = (moveX: number, moveY: number) => ({ moveX, moveY });

/** A big empty map, for projectile flights that must not meet a wall or an edge. */
const OPEN_MAP: ArenaMap = { id: 'open', widthPx: 100_000, heightPx: 100_000, walls: [], spawns: [{ x: 10, y: 10 }] };

describe('applyInput: movement', () => {
  it('moves one step of PLAYER_SPEED_PX_PER_S * dt along each axis', () => {
    const cases: Array<[number, number, number, number]> = [
      [1, 0, 400 + STEP_PX, 400],
      [-1, 0, 400 - STEP_PX, 400],
      [0, 1, 400, 400 + STEP_PX],
      [0, -1, 400, 400 - STEP_PX],
    ];
    for (const [mx, my, ex, ey] of cases) {
      const b = body(400, 400);
      applyInput(b, move(mx, my), ARENA_MAP, DT);
      assert.equal(b.x, Math.fround(ex), `x after move (${mx}, ${my})`);
      assert.equal(b.y, Math.fround(ey), `y after move (${mx}, ${my})`);
    }
  });

  it('uses the dt it is given, so distance scales with time', () => {
    const b = body(400, 400);
    applyInput(b, move(1, 0), ARENA_MAP, 0.5);
    assert.equal(b.x, 400 + PLAYER_SPEED_PX_PER_S * 0.5);
  });

  it('normalizes diagonals so they are no faster than straight moves', () => {
    const b = body(400, 400);
    applyInput(b, move(1, 1), ARENA_MAP, DT);
    const leg = STEP_PX * Math.SQRT1_2;
    assert.equal(b.x, Math.fround(400 + leg));
    assert.equal(b.y, Math.fround(400 + leg));
    const travelled = Math.hypot(b.x - 400, b.y - 400);
    assert.ok(Math.abs(travelled - STEP_PX) < 1e-4, `diagonal step ${travelled} vs straight ${STEP_PX}`);
  });

  it('does not move a dead player', () => {
    const b = body(400, 400, false);
    applyInput(b, move(1, 1), ARENA_MAP, DT);
    assert.deepEqual(b, body(400, 400, false));
  });

  it('does nothing on a still input', () => {
    const b = body(400.1, 400.1);
    applyInput(b, move(0, 0), ARENA_MAP, DT);
    assert.deepEqual(b, body(400.1, 400.1));
  });
});

describe('axis sanitization', () => {
  it('maps every value to -1, 0 or 1, and anything non-finite to 0', () => {
    assert.equal(axis(1), 1);
    assert.equal(axis(-1), -1);
    assert.equal(axis(0), 0);
    assert.equal(axis(-0), 0);
    assert.equal(axis(0.25), 1);
    assert.equal(axis(-0.25), -1);
    assert.equal(axis(1e308), 1);
    assert.equal(axis(-1e308), -1);
    assert.equal(axis(127), 1);
    assert.equal(axis(-128), -1);
    assert.equal(axis(Number.NaN), 0);
    assert.equal(axis(Number.POSITIVE_INFINITY), 0);
    assert.equal(axis(Number.NEGATIVE_INFINITY), 0);
  });

  it('never moves a player faster than one step, whatever the command says', () => {
    const hostile = [1e9, -1e9, 1e308, 127, -128, 2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const mx of hostile) {
      for (const my of hostile) {
        const b = body(400, 400);
        applyInput(b, move(mx, my), ARENA_MAP, DT);
        const travelled = Math.hypot(b.x - 400, b.y - 400);
        assert.ok(travelled <= STEP_PX + 1e-4, `(${mx}, ${my}) moved ${travelled} px in one step`);
        assert.ok(Number.isFinite(b.x) && Number.isFinite(b.y), `(${mx}, ${my}) produced a non-finite position`);
      }
    }
    const nan = body(400, 400);
    applyInput(nan, move(Number.NaN, Number.NaN), ARENA_MAP, DT);
    assert.deepEqual(nan, body(400, 400), 'NaN on both axes is a still input');
    const huge = body(400, 400);
    applyInput(huge, move(1e9, 0), ARENA_MAP, DT);
    assert.equal(huge.x, Math.fround(400 + STEP_PX), 'a huge axis value is a plain 1');
  });
});

describe('applyInput: walls and map edges', () => {
  it('stops a player flush against a wall it walks into', () => {
    const b = body(CENTRE_WALL.x - R - 3, 500);
    applyInput(b, move(1, 0), ARENA_MAP, DT);
    assert.equal(b.x, CENTRE_WALL.x - R);
    for (let i = 0; i < 10; i++) applyInput(b, move(1, 0), ARENA_MAP, DT);
    assert.equal(b.x, CENTRE_WALL.x - R, 'pushing on does not go through');
    assert.equal(b.y, 500);
    assert.equal(isBlocked(ARENA_MAP, b.x, b.y), false, 'the resting position is legal');

    const fromRight = body(CENTRE_WALL.x + CENTRE_WALL.w + R + 2, 500);
    applyInput(fromRight, move(-1, 0), ARENA_MAP, DT);
    assert.equal(fromRight.x, CENTRE_WALL.x + CENTRE_WALL.w + R);

    const fromAbove = body(800, CENTRE_WALL.y - R - 1);
    applyInput(fromAbove, move(0, 1), ARENA_MAP, DT);
    assert.equal(fromAbove.y, CENTRE_WALL.y - R);

    const fromBelow = body(800, CENTRE_WALL.y + CENTRE_WALL.h + R + 1);
    applyInput(fromBelow, move(0, -1), ARENA_MAP, DT);
    assert.equal(fromBelow.y, CENTRE_WALL.y + CENTRE_WALL.h + R);
  });

  it('slides along a wall when moving diagonally into it', () => {
    const b = body(CENTRE_WALL.x - R, 500);
    applyInput(b, move(1, 1), ARENA_MAP, DT);
    assert.equal(b.x, CENTRE_WALL.x - R, 'the blocked axis stays put');
    assert.equal(b.y, Math.fround(500 + STEP_PX * Math.SQRT1_2), 'the free axis keeps moving');

    const top = body(800, CENTRE_WALL.y - R);
    applyInput(top, move(-1, 1), ARENA_MAP, DT);
    assert.equal(top.y, CENTRE_WALL.y - R);
    assert.equal(top.x, Math.fround(800 - STEP_PX * Math.SQRT1_2));
  });

  it('clamps a player inside the map edges', () => {
    const left = body(R + 2, 380);
    applyInput(left, move(-1, 0), ARENA_MAP, DT);
    assert.equal(left.x, R);
    const corner = body(ARENA_MAP.widthPx - R - 1, ARENA_MAP.heightPx - R - 1);
    for (let i = 0; i < 5; i++) applyInput(corner, move(1, 1), ARENA_MAP, DT);
    assert.deepEqual(corner, body(ARENA_MAP.widthPx - R, ARENA_MAP.heightPx - R));
    const top = body(1200, R + 1);
    applyInput(top, move(0, -1), ARENA_MAP, DT);
    assert.equal(top.y, R);
  });

  it('keeps a player walking for a long time out of every wall', () => {
    const b = body(400, 380);
    const script = COMPASS_MOVES;
    for (let i = 0; i < 4000; i++) {
      const [mx, my] = script[Math.floor(i / 37) % script.length]!;
      applyInput(b, move(mx, my), ARENA_MAP, DT);
      assert.equal(isBlocked(ARENA_MAP, b.x, b.y), false, `blocked at step ${i}: (${b.x}, ${b.y})`);
    }
  });

  it('puts every spawn point in open floor', () => {
    for (const s of ARENA_MAP.spawns)
      assert.equal(isBlocked(ARENA_MAP, s.x, s.y), false, `spawn (${s.x}, ${s.y}) is blocked`);
  });
});

describe('applyInput: float32 rounding', () => {
  it('leaves positions exactly representable as float32', () => {
    const b = body(400.1, 380.3);
    const moves: Array<[number, number]> = [
      [1, 0],
      [1, 1],
      [0, -1],
      [-1, 1],
    ];
    for (let i = 0; i < 200; i++) {
      const [mx, my] = moves[i % moves.length]!;
      applyInput(b, move(mx, my), ARENA_MAP, DT);
      assert.equal(Math.fround(b.x), b.x);
      assert.equal(Math.fround(b.y), b.y);
    }
    const first = body(400.1, 380.3);
    applyInput(first, move(1, 0), ARENA_MAP, DT);
    assert.equal(first.x, Math.fround(400.1 + STEP_PX));
    assert.notEqual(first.x, 400.1 + STEP_PX, 'the float64 sum is not what is stored');
    assert.equal(first.y, Math.fround(380.3), 'the untouched axis is rounded too');
  });
});

describe('projectiles', () => {
  it('fires from the muzzle at the projectile speed', () => {
    const p = fireProjectile(ARENA_MAP, { x: 400, y: 380 }, 0);
    assert.ok(p);
    assert.equal(p.x, 400 + MUZZLE_OFFSET_PX);
    assert.equal(p.y, 380);
    assert.equal(p.vxPxPerS, PROJECTILE_SPEED_PX_PER_S);
    assert.equal(p.vyPxPerS, 0);
    assert.equal(p.lifeMs, PROJECTILE_LIFETIME_MS);

    const down = fireProjectile(ARENA_MAP, { x: 400, y: 380 }, Math.PI / 2);
    assert.ok(down);
    assert.ok(Math.abs(down.x - 400) < 1e-9);
    assert.ok(Math.abs(down.y - (380 + MUZZLE_OFFSET_PX)) < 1e-9);
  });

  it('moves velocity * dt per step and counts down its lifetime', () => {
    const p: ProjectileBody = { x: 100, y: 100, vxPxPerS: 300, vyPxPerS: -400, lifeMs: 1000 };
    assert.equal(stepProjectile(p, OPEN_MAP, 0.1), 'flying');
    assert.ok(Math.abs(p.x - 130) < 1e-9 && Math.abs(p.y - 60) < 1e-9, `at (${p.x}, ${p.y})`);
    assert.equal(p.lifeMs, 900);
    assert.equal(stepProjectile(p, OPEN_MAP, 0.1), 'flying');
    assert.ok(Math.abs(p.x - 160) < 1e-9 && Math.abs(p.y - 20) < 1e-9, `at (${p.x}, ${p.y})`);
  });

  it('expires when its lifetime runs out', () => {
    const p: ProjectileBody = {
      x: 1000,
      y: 1000,
      vxPxPerS: PROJECTILE_SPEED_PX_PER_S,
      vyPxPerS: 0,
      lifeMs: PROJECTILE_LIFETIME_MS,
    };
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const o = stepProjectile(p, OPEN_MAP, 0.1);
      outcomes.push(o);
      if (o !== 'flying') break;
    }
    assert.equal(outcomes.length, PROJECTILE_LIFETIME_MS / 100);
    assert.equal(outcomes.at(-1), 'expired');
    assert.ok(outcomes.slice(0, -1).every((o) => o === 'flying'));
  });

  it('stops at the face of a wall it reaches', () => {
    const p: ProjectileBody = {
      x: 700,
      y: 500,
      vxPxPerS: PROJECTILE_SPEED_PX_PER_S,
      vyPxPerS: 0,
      lifeMs: PROJECTILE_LIFETIME_MS,
    };
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const o = stepProjectile(p, ARENA_MAP, DT);
      outcomes.push(o);
      if (o !== 'flying') break;
    }
    assert.equal(outcomes.at(-1), 'wall');
    assert.ok(Math.abs(p.x - (CENTRE_WALL.x - PROJECTILE_RADIUS_PX)) < 1e-9, `stopped at x=${p.x}`);
    assert.equal(p.y, 500);
  });

  it('cannot tunnel through a thin wall however fast it goes', () => {
    for (const speed of [PROJECTILE_SPEED_PX_PER_S, 10_000, 100_000, 1e7]) {
      const p: ProjectileBody = {
        x: THIN_WALL.x - 20,
        y: 200,
        vxPxPerS: speed,
        vyPxPerS: 0,
        lifeMs: PROJECTILE_LIFETIME_MS,
      };
      let outcome = stepProjectile(p, ARENA_MAP, DT);
      for (let i = 0; i < 5 && outcome === 'flying'; i++) outcome = stepProjectile(p, ARENA_MAP, DT);
      assert.equal(outcome, 'wall', `speed ${speed}`);
      assert.ok(p.x <= THIN_WALL.x, `speed ${speed} ended at x=${p.x}, past the wall's near face`);
    }
    const diagonal: ProjectileBody = {
      x: 500,
      y: 150,
      vxPxPerS: 50_000,
      vyPxPerS: 10_000,
      lifeMs: PROJECTILE_LIFETIME_MS,
    };
    assert.equal(stepProjectile(diagonal, ARENA_MAP, DT), 'wall');
    assert.ok(diagonal.x <= THIN_WALL.x);
  });

  it('stops at the map edge', () => {
    const p: ProjectileBody = {
      x: 30,
      y: 380,
      vxPxPerS: -PROJECTILE_SPEED_PX_PER_S,
      vyPxPerS: 0,
      lifeMs: PROJECTILE_LIFETIME_MS,
    };
    let outcome = stepProjectile(p, ARENA_MAP, DT);
    for (let i = 0; i < 5 && outcome === 'flying'; i++) outcome = stepProjectile(p, ARENA_MAP, DT);
    assert.equal(outcome, 'wall');
  });

  it('refuses to fire when the muzzle would be inside a wall', () => {
    const pressed = { x: CENTRE_WALL.x - R, y: 500 };
    assert.equal(fireProjectile(ARENA_MAP, pressed, 0), null, 'aiming into the wall the player leans on');
    assert.ok(fireProjectile(ARENA_MAP, pressed, Math.PI), 'aiming away from it is fine');
    assert.ok(fireProjectile(ARENA_MAP, pressed, Math.PI / 2), 'aiming along it is fine');
    const nearThin = { x: THIN_WALL.x - R, y: 200 };
    assert.equal(fireProjectile(ARENA_MAP, nearThin, 0), null, 'cannot shoot through thin cover at point blank');
    assert.equal(fireProjectile(ARENA_MAP, { x: R, y: 380 }, Math.PI), null, 'muzzle outside the map');
  });
});

describe('segment helpers', () => {
  it('segmentHitsCircle: crossing, grazing, missing, endpoints, degenerate', () => {
    assert.equal(segmentHitsCircle(0, 0, 100, 0, 50, 0, 5), true, 'straight through the centre');
    assert.equal(segmentHitsCircle(0, 0, 100, 0, 50, 10, 10), true, 'grazing at exactly the radius');
    assert.equal(segmentHitsCircle(0, 0, 100, 0, 50, 10.001, 10), false, 'just outside the radius');
    assert.equal(segmentHitsCircle(0, 0, 100, 0, 120, 0, 10), false, 'beyond the end');
    assert.equal(segmentHitsCircle(0, 0, 100, 0, 108, 0, 10), true, 'within reach of the end point');
    assert.equal(segmentHitsCircle(0, 0, 100, 0, -8, 0, 10), true, 'within reach of the start point');
    assert.equal(segmentHitsCircle(5, 5, 5, 5, 8, 9, 5), true, 'zero-length segment inside');
    assert.equal(segmentHitsCircle(5, 5, 5, 5, 8, 10, 5), false, 'zero-length segment outside');
    assert.equal(segmentHitsCircle(0, 0, 100, 100, 50, 60, 8), true, 'diagonal near miss within radius');
    assert.equal(segmentHitsCircle(0, 0, 100, 100, 50, 70, 8), false, 'diagonal miss');
  });

  it('segmentHitsRect: entry fraction, misses, start inside, padding, parallel', () => {
    const rect: Rect = { x: 10, y: 10, w: 10, h: 10 };
    assert.equal(segmentHitsRect(0, 15, 40, 15, rect), 0.25);
    assert.equal(segmentHitsRect(40, 15, 0, 15, rect), 0.5, 'from the other side');
    assert.equal(segmentHitsRect(0, 0, 40, 0, rect), -1, 'passes above');
    assert.equal(segmentHitsRect(0, 15, 5, 15, rect), -1, 'stops short');
    assert.equal(segmentHitsRect(15, 15, 40, 15, rect), 0, 'starts inside');
    assert.equal(segmentHitsRect(0, 8, 40, 8, rect), -1, 'parallel, 2 px outside');
    assert.equal(segmentHitsRect(0, 8, 40, 8, rect, 2), 0.2, 'the same line hits the rect padded by 2');
    assert.equal(segmentHitsRect(15, 0, 15, 40, rect), 0.25, 'vertical');
    assert.equal(segmentHitsRect(15, 15, 15, 15, rect), 0, 'a point inside');
    assert.equal(segmentHitsRect(5, 5, 5, 5, rect), -1, 'a point outside');
    assert.ok(Math.abs(segmentHitsRect(0, 0, 40, 40, rect) - 0.25) < 1e-12, 'diagonal through the corner region');
  });
});

describe('traceProjectile', () => {
  const shot = (): ProjectileBody => ({
    x: 418,
    y: 380,
    vxPxPerS: PROJECTILE_SPEED_PX_PER_S,
    vyPxPerS: 0,
    lifeMs: PROJECTILE_LIFETIME_MS,
  });

  it('hits a target on its path during the step', () => {
    const p = shot();
    const hitR = PLAYER_RADIUS_PX + PROJECTILE_RADIUS_PX;
    const result = traceProjectile(p, ARENA_MAP, DT, [
      { id: 'far', x: 418 + 200, y: 380 },
      { id: 'near', x: 418 + 24 + hitR, y: 380 },
    ]);
    assert.deepEqual(result, { kind: 'hit', targetId: 'near' });
  });

  it('misses a target off its path and keeps flying', () => {
    const p = shot();
    const result = traceProjectile(p, ARENA_MAP, DT, [
      { id: 'off', x: 430, y: 380 + PLAYER_RADIUS_PX + PROJECTILE_RADIUS_PX + 1 },
    ]);
    assert.deepEqual(result, { kind: 'flying' });
    assert.equal(p.x, 418 + PROJECTILE_SPEED_PX_PER_S * DT);
  });

  it('does not hit a target behind the wall it stops at, even one the full step would reach', () => {
    // Fast enough that the unclipped step would pass through the player behind the wall.
    const p: ProjectileBody = { x: CENTRE_WALL.x - 10, y: 500, vxPxPerS: 100_000, vyPxPerS: 0, lifeMs: 1000 };
    const behind = { id: 'behind', x: CENTRE_WALL.x + CENTRE_WALL.w + R, y: 500 };
    const result = traceProjectile(p, ARENA_MAP, DT, [behind]);
    assert.deepEqual(result, { kind: 'wall' });
  });

  it('hits a target in front of the wall on the same step', () => {
    const p: ProjectileBody = {
      x: CENTRE_WALL.x - 30,
      y: 500,
      vxPxPerS: PROJECTILE_SPEED_PX_PER_S,
      vyPxPerS: 0,
      lifeMs: 1000,
    };
    const result = traceProjectile(p, ARENA_MAP, DT, [{ id: 'front', x: CENTRE_WALL.x - 10, y: 500 }]);
    assert.deepEqual(result, { kind: 'hit', targetId: 'front' });
  });
});

describe('pickSpawnPoint', () => {
  const spawns = ARENA_MAP.spawns;

  it('picks the spawn point farthest from every living player', () => {
    assert.deepEqual(pickSpawnPoint(ARENA_MAP, [{ x: 80, y: 80 }], 0), { x: 1520, y: 920 });
    assert.deepEqual(pickSpawnPoint(ARENA_MAP, [{ x: 1520, y: 920 }], 7), { x: 80, y: 80 });
    assert.deepEqual(
      pickSpawnPoint(
        ARENA_MAP,
        [
          { x: 80, y: 80 },
          { x: 1520, y: 920 },
        ],
        0,
      ),
      { x: 1520, y: 80 },
    );
  });

  it('judges by the nearest living player, not the average', () => {
    const occupied = [
      { x: 80, y: 80 },
      { x: 1520, y: 80 },
      { x: 80, y: 920 },
      { x: 1520, y: 920 },
    ];
    const chosen = pickSpawnPoint(ARENA_MAP, occupied, 0);
    const nearest = (p: { x: number; y: number }) => Math.min(...occupied.map((o) => Math.hypot(o.x - p.x, o.y - p.y)));
    for (const s of spawns)
      assert.ok(nearest(chosen) >= nearest(s), `(${s.x}, ${s.y}) is farther from everyone than the choice`);
  });

  it('rotates through the spawn points by salt on an empty map', () => {
    for (let salt = 0; salt < spawns.length * 2; salt++) {
      assert.deepEqual(pickSpawnPoint(ARENA_MAP, [], salt), spawns[salt % spawns.length]);
    }
    assert.deepEqual(pickSpawnPoint(ARENA_MAP, [], -1), spawns[spawns.length - 1], 'negative salt wraps');
    assert.deepEqual(pickSpawnPoint(ARENA_MAP, [], 2.9), spawns[2], 'fractional salt truncates');
  });

  it('breaks ties between equally far points by salt', () => {
    // The four corners are equally far from the centre, and farther than any other spawn.
    const centre = [{ x: 800, y: 500 }];
    assert.deepEqual(pickSpawnPoint(ARENA_MAP, centre, 0), { x: 80, y: 80 });
    assert.deepEqual(pickSpawnPoint(ARENA_MAP, centre, 1), { x: 1520, y: 80 });
    assert.deepEqual(pickSpawnPoint(ARENA_MAP, centre, 2), { x: 80, y: 920 });
    assert.deepEqual(pickSpawnPoint(ARENA_MAP, centre, 3), { x: 1520, y: 920 });
    assert.deepEqual(
      pickSpawnPoint(ARENA_MAP, centre, 4),
      { x: 80, y: 80 },
      'past the corners the scan wraps to the first',
    );
  });
});

interface Frame {
  moveX: number;
  moveY: number;
  aimRad: number;
  fire: boolean;
}

function randomFrames(seed: number, count: number): Frame[] {
  const rand = seededRandom(seed);
  const frames: Frame[] = [];
  let moveX = 0;
  let moveY = 0;
  for (let i = 0; i < count; i++) {
    // Hold a direction for a while (as players do), so runs reach walls and edges.
    if (rand() < 0.08) {
      moveX = Math.floor(rand() * 3) - 1;
      moveY = Math.floor(rand() * 3) - 1;
    }
    frames.push({ moveX, moveY, aimRad: rand() * Math.PI * 2, fire: rand() < 0.1 });
  }
  return frames;
}

/** Run the player and every projectile it fires; return a trace of every intermediate value. */
function runSimulation(frames: readonly Frame[]): Float64Array {
  const player = body(420, 500);
  const shots: ProjectileBody[] = [];
  const trace = new Float64Array(frames.length * 3);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    applyInput(player, f, ARENA_MAP, DT);
    if (f.fire) {
      const p = fireProjectile(ARENA_MAP, player, f.aimRad);
      if (p) shots.push(p);
    }
    let sum = 0;
    for (let k = shots.length - 1; k >= 0; k--) {
      const p = shots[k]!;
      const outcome = traceProjectile(p, ARENA_MAP, DT, [{ id: 'dummy', x: 800, y: 380 }]);
      sum += p.x * 3 + p.y;
      if (outcome.kind !== 'flying') shots.splice(k, 1);
    }
    trace[i * 3] = player.x;
    trace[i * 3 + 1] = player.y;
    trace[i * 3 + 2] = sum;
  }
  return trace;
}

describe('determinism', () => {
  it('gives bit-identical states for the same inputs over 10,000 steps', () => {
    const STEPS = 10_000;
    const a = runSimulation(randomFrames(0xc0ffee, STEPS));
    const b = runSimulation(randomFrames(0xc0ffee, STEPS));
    const bitsA = new Uint32Array(a.buffer);
    const bitsB = new Uint32Array(b.buffer);
    for (let i = 0; i < bitsA.length; i++) {
      if (bitsA[i] !== bitsB[i])
        assert.fail(`diverged at step ${Math.floor(i / 6)}: ${a[Math.floor(i / 2)]} vs ${b[Math.floor(i / 2)]}`);
    }
    // The run actually went somewhere: many distinct positions, and it met walls/edges.
    const xs = new Set<number>();
    for (let i = 0; i < STEPS; i++) xs.add(a[i * 3]!);
    assert.ok(xs.size > 500, `only ${xs.size} distinct x positions`);
    const c = runSimulation(randomFrames(0xbeef, STEPS));
    assert.notDeepEqual(
      Array.from(c.subarray(0, 3000)),
      Array.from(a.subarray(0, 3000)),
      'a different seed gives a different run',
    );
  });
});
