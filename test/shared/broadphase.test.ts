/**
 * The projectile broad phase (shared/broadphase.ts): its candidates are
 * exactly the overlapping boxes in insertion order, and a hit test over the
 * candidates finds the same target as one over every player, over many
 * random scenes (so server and client prediction, with or without it, agree).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../shared/random.ts';
import { PROJECTILE_LIFETIME_MS, PROJECTILE_SPEED_PX_PER_S, TICK_RATE_HZ } from '../../shared/constants.ts';
import { BoxGrid, sweptBox } from '../../shared/broadphase.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { traceProjectile, type HitTarget, type ProjectileBody } from '../../shared/sim.ts';

const DT = 1 / TICK_RATE_HZ;

describe('BoxGrid', () => {
  it('returns exactly the boxes that overlap the query, ascending, each once', () => {
    const random = seededRandom(7);
    const grid = new BoxGrid(ARENA_MAP.widthPx, ARENA_MAP.heightPx, 100);
    const out: number[] = [];
    for (let round = 0; round < 200; round++) {
      grid.clear();
      const boxes: [number, number, number, number][] = [];
      const n = 1 + Math.floor(random() * 40);
      for (let i = 0; i < n; i++) {
        // Some boxes reach past the map's edges: they must still be found.
        const x = random() * 1800 - 100;
        const y = random() * 1200 - 100;
        const b: [number, number, number, number] = [x, y, x + random() * 300, y + random() * 300];
        boxes.push(b);
        grid.insert(i, ...b);
      }
      const qx = random() * 1800 - 100;
      const qy = random() * 1200 - 100;
      const q: [number, number, number, number] = [qx, qy, qx + random() * 400, qy + random() * 400];
      const count = grid.query(...q, out);
      const expected = boxes
        .map((b, i) => (b[0] <= q[2] && b[2] >= q[0] && b[1] <= q[3] && b[3] >= q[1] ? i : -1))
        .filter((i) => i >= 0);
      assert.deepEqual(out.slice(0, count), expected, `round ${round}`);
    }
  });
});

describe('broad phase + traceProjectile', () => {
  it('hits the same target as testing every player, in 5000 random scenes', () => {
    const random = seededRandom(11);
    const grid = new BoxGrid(ARENA_MAP.widthPx, ARENA_MAP.heightPx);
    const box = { minX: 0, minY: 0, maxX: 0, maxY: 0 };
    const candidates: number[] = [];
    let hits = 0;
    for (let scene = 0; scene < 5000; scene++) {
      // Targets crowd a small area so that paths often meet one or several.
      const cx = 100 + random() * 1400;
      const cy = 100 + random() * 800;
      const targets: HitTarget[] = [];
      grid.clear();
      const n = 2 + Math.floor(random() * 30);
      for (let i = 0; i < n; i++) {
        const t = { id: `p${i}`, x: cx + (random() - 0.5) * 200, y: cy + (random() - 0.5) * 200 };
        targets.push(t);
        // A target's box is where a rewind may place it: here a point or a short smear.
        const smear = random() < 0.5 ? 0 : random() * 60;
        grid.insert(i, t.x - smear, t.y - smear, t.x + smear, t.y + smear);
      }
      const aim = random() * Math.PI * 2;
      const start = (): ProjectileBody => ({
        x: cx + (random() - 0.5) * 150,
        y: cy + (random() - 0.5) * 150,
        vxPxPerS: Math.cos(aim) * PROJECTILE_SPEED_PX_PER_S,
        vyPxPerS: Math.sin(aim) * PROJECTILE_SPEED_PX_PER_S,
        lifeMs: PROJECTILE_LIFETIME_MS,
      });
      const a = start();
      const b = { ...a };
      sweptBox(b, DT, box);
      const count = grid.query(box.minX, box.minY, box.maxX, box.maxY, candidates);
      const narrowed = candidates.slice(0, count).map((i) => targets[i]!);
      const all = traceProjectile(a, ARENA_MAP, DT, targets);
      const some = traceProjectile(b, ARENA_MAP, DT, narrowed);
      assert.deepEqual(some, all, `scene ${scene}`);
      assert.deepEqual(b, a);
      if (all.kind === 'hit') hits++;
    }
    assert.ok(hits > 500, `only ${hits} scenes had a hit: the test would not catch a missed candidate`);
  });
});
