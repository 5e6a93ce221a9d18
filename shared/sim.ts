/**
 * The deterministic game rules: pure functions on plain data, run by the
 * server's fixed-tick room and by the client's prediction alike. Nothing here
 * reads a clock, draws a random number, or touches a schema or the DOM; the
 * same inputs always give the same outputs, bit for bit.
 */
import {
  MUZZLE_OFFSET_PX,
  PLAYER_RADIUS_PX,
  PLAYER_SPEED_PX_PER_S,
  PROJECTILE_LIFETIME_MS,
  PROJECTILE_RADIUS_PX,
  PROJECTILE_SPEED_PX_PER_S,
} from './constants.ts';
import type { ArenaMap, Point, Rect } from './map.ts';

/** The part of a player the movement rule reads and writes. */
export interface PlayerBody {
  x: number;
  y: number;
  alive: boolean;
}

/** The movement part of one input: each axis is -1, 0 or 1. */
export interface MoveCommand {
  readonly moveX: number;
  readonly moveY: number;
}

/** A projectile in flight, in world pixels and pixels per second. */
export interface ProjectileBody {
  x: number;
  y: number;
  readonly vxPxPerS: number;
  readonly vyPxPerS: number;
  /** Time left before it fizzles, in milliseconds. */
  lifeMs: number;
}

/** What happened to a projectile during one step. */
export type ProjectileOutcome = 'flying' | 'wall' | 'expired';

/** Clamp an axis command to -1, 0 or 1; anything not a finite number is 0. */
export function axis(value: number): -1 | 0 | 1 {
  if (!Number.isFinite(value)) return 0;
  return value > 0 ? 1 : value < 0 ? -1 : 0;
}

function overlapsWall(cx: number, cy: number, wall: Rect, r: number): boolean {
  return cx + r > wall.x && cx - r < wall.x + wall.w && cy + r > wall.y && cy - r < wall.y + wall.h;
}

/**
 * Move a player by one fixed step of `dtSeconds` under `cmd`. Axes are
 * resolved one after the other so a player slides along walls; the player
 * stays inside the map. Positions are rounded to float32 after the step so the
 * value the server holds is exactly the value a float32 schema field carries,
 * and a client replaying the same inputs reaches the same bits.
 */
export function applyInput(body: PlayerBody, cmd: MoveCommand, map: ArenaMap, dtSeconds: number): void {
  if (!body.alive) return;
  const mx = axis(cmd.moveX);
  const my = axis(cmd.moveY);
  if (mx === 0 && my === 0) return;
  const stepPx = PLAYER_SPEED_PX_PER_S * dtSeconds * (mx !== 0 && my !== 0 ? Math.SQRT1_2 : 1);
  const r = PLAYER_RADIUS_PX;

  let x = body.x + mx * stepPx;
  for (const wall of map.walls) {
    if (!overlapsWall(x, body.y, wall, r)) continue;
    x = mx > 0 ? wall.x - r : wall.x + wall.w + r;
  }
  x = Math.min(Math.max(x, r), map.widthPx - r);

  let y = body.y + my * stepPx;
  for (const wall of map.walls) {
    if (!overlapsWall(x, y, wall, r)) continue;
    y = my > 0 ? wall.y - r : wall.y + wall.h + r;
  }
  y = Math.min(Math.max(y, r), map.heightPx - r);

  body.x = Math.fround(x);
  body.y = Math.fround(y);
}

/** True when a player centred at (x, y) would overlap a wall or leave the map. */
export function isBlocked(map: ArenaMap, x: number, y: number, radiusPx = PLAYER_RADIUS_PX): boolean {
  if (x - radiusPx < 0 || y - radiusPx < 0 || x + radiusPx > map.widthPx || y + radiusPx > map.heightPx) return true;
  return map.walls.some((wall) => overlapsWall(x, y, wall, radiusPx));
}

/**
 * Fraction t in [0, 1] along the segment (x0,y0)->(x1,y1) where it first enters
 * `rect` grown by `padPx`, or -1 when it misses (Liang-Barsky clipping).
 */
export function segmentHitsRect(x0: number, y0: number, x1: number, y1: number, rect: Rect, padPx = 0): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const p = [-dx, dx, -dy, dy];
  const q = [x0 - (rect.x - padPx), rect.x + rect.w + padPx - x0, y0 - (rect.y - padPx), rect.y + rect.h + padPx - y0];
  let tEnter = 0;
  let tExit = 1;
  for (let i = 0; i < 4; i++) {
    const pi = p[i]!;
    const qi = q[i]!;
    if (pi === 0) {
      if (qi < 0) return -1;
      continue;
    }
    const t = qi / pi;
    if (pi < 0) tEnter = Math.max(tEnter, t);
    else tExit = Math.min(tExit, t);
    if (tEnter > tExit) return -1;
  }
  return tEnter;
}

/** True when the segment (x0,y0)->(x1,y1) passes within `radiusPx` of (cx, cy). */
export function segmentHitsCircle(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  cx: number,
  cy: number,
  radiusPx: number,
): boolean {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const lenSq = dx * dx + dy * dy;
  let t = lenSq === 0 ? 0 : ((cx - x0) * dx + (cy - y0) * dy) / lenSq;
  t = Math.min(Math.max(t, 0), 1);
  const px = x0 + t * dx - cx;
  const py = y0 + t * dy - cy;
  return px * px + py * py <= radiusPx * radiusPx;
}

/**
 * A projectile fired from `origin` towards `aimRad` (radians, 0 = +x, clockwise
 * on screen since y points down). Returns null when the muzzle is inside a wall
 * (a player pressed against cover cannot shoot through it).
 */
export function fireProjectile(map: ArenaMap, origin: Point, aimRad: number): ProjectileBody | null {
  const cos = Math.cos(aimRad);
  const sin = Math.sin(aimRad);
  const x = origin.x + cos * MUZZLE_OFFSET_PX;
  const y = origin.y + sin * MUZZLE_OFFSET_PX;
  if (x < 0 || y < 0 || x > map.widthPx || y > map.heightPx) return null;
  for (const wall of map.walls) {
    if (segmentHitsRect(origin.x, origin.y, x, y, wall, PROJECTILE_RADIUS_PX) >= 0) return null;
  }
  return {
    x,
    y,
    vxPxPerS: cos * PROJECTILE_SPEED_PX_PER_S,
    vyPxPerS: sin * PROJECTILE_SPEED_PX_PER_S,
    lifeMs: PROJECTILE_LIFETIME_MS,
  };
}

/**
 * Advance a projectile one step. It stops at the first wall or map edge on its
 * path (checked as a swept segment, so fast shots cannot tunnel through thin
 * walls) and expires when its lifetime runs out.
 */
export function stepProjectile(p: ProjectileBody, map: ArenaMap, dtSeconds: number): ProjectileOutcome {
  const x1 = p.x + p.vxPxPerS * dtSeconds;
  const y1 = p.y + p.vyPxPerS * dtSeconds;
  let hitT = -1;
  for (const wall of map.walls) {
    const t = segmentHitsRect(p.x, p.y, x1, y1, wall, PROJECTILE_RADIUS_PX);
    if (t >= 0 && (hitT < 0 || t < hitT)) hitT = t;
  }
  if (hitT >= 0) {
    p.x += (x1 - p.x) * hitT;
    p.y += (y1 - p.y) * hitT;
    return 'wall';
  }
  p.x = x1;
  p.y = y1;
  if (x1 < 0 || y1 < 0 || x1 > map.widthPx || y1 > map.heightPx) return 'wall';
  p.lifeMs -= dtSeconds * 1000;
  return p.lifeMs <= 0 ? 'expired' : 'flying';
}

/**
 * The spawn point farthest from every living player; ties (and the empty map)
 * are broken by `salt`, so successive respawns spread over the map while the
 * choice stays a pure function of its arguments.
 */
export function pickSpawnPoint(map: ArenaMap, occupied: readonly Point[], salt: number): Point {
  const spawns = map.spawns;
  const n = spawns.length;
  const start = ((Math.trunc(salt) % n) + n) % n;
  let best = spawns[start]!;
  let bestDistSq = -1;
  for (let i = 0; i < n; i++) {
    const s = spawns[(start + i) % n]!;
    let nearest = Number.POSITIVE_INFINITY;
    for (const o of occupied) {
      const dx = o.x - s.x;
      const dy = o.y - s.y;
      nearest = Math.min(nearest, dx * dx + dy * dy);
    }
    if (nearest > bestDistSq) {
      bestDistSq = nearest;
      best = s;
    }
  }
  return best;
}

/** A player a projectile may hit, at the position the shooter saw it. */
export interface HitTarget {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

export type TraceResult = { kind: 'flying' | 'wall' | 'expired' } | { kind: 'hit'; targetId: string };

/**
 * Advance a projectile one step and report the first thing on its path: a
 * target (hit), a wall, or nothing. `targets` are positions as the shooter saw
 * them (lag compensation happens in the caller, which knows the history); a
 * target hit before a wall on the same step wins over the wall.
 */
export function traceProjectile(
  p: ProjectileBody,
  map: ArenaMap,
  dtSeconds: number,
  targets: readonly HitTarget[],
  hitRadiusPx = PLAYER_RADIUS_PX + PROJECTILE_RADIUS_PX,
): TraceResult {
  const x0 = p.x;
  const y0 = p.y;
  const outcome = stepProjectile(p, map, dtSeconds);
  for (const target of targets) {
    if (segmentHitsCircle(x0, y0, p.x, p.y, target.x, target.y, hitRadiusPx)) {
      return { kind: 'hit', targetId: target.id };
    }
  }
  return OUTCOMES[outcome];
}

/** The results without a target, shared (frozen): a projectile in flight costs no allocation per step. */
const OUTCOMES: Readonly<Record<ProjectileOutcome, TraceResult>> = {
  flying: Object.freeze({ kind: 'flying' }),
  wall: Object.freeze({ kind: 'wall' }),
  expired: Object.freeze({ kind: 'expired' }),
};
