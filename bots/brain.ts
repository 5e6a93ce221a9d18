/**
 * What a bot does each tick, as a pure function of what it sees: walk in a
 * direction it keeps for a while, look ahead with the shared movement rule so
 * it turns before walls instead of grinding into them, aim at the nearest
 * living enemy and fire when it has a clear line. No clock and no I/O: a seeded
 * random source makes a bot's whole game reproducible in tests.
 */
import {
  PLAYER_RADIUS_PX,
  PLAYER_SPEED_PX_PER_S,
  PROJECTILE_LIFETIME_MS,
  PROJECTILE_RADIUS_PX,
  PROJECTILE_SPEED_PX_PER_S,
} from '../shared/constants.ts';
import type { InputFrame } from '../shared/input.ts';
import type { ArenaMap, Point } from '../shared/map.ts';
import { applyInput, isBlocked, segmentHitsRect } from '../shared/sim.ts';
import { COMPASS_MOVES } from '../shared/input.ts';

/** The eight compass moves as (moveX, moveY). */
export const DIRECTIONS = COMPASS_MOVES;

/** Ticks of movement a bot simulates ahead before committing to a direction. */
export const LOOKAHEAD_TICKS = 8;
/** Extra clearance (px) the look-ahead wants from walls, so bots turn before touching them. */
const WALL_MARGIN_PX = 6;
/** A direction that gains less than this share of a free walk is treated as blocked. */
const MIN_PROGRESS = 0.6;
/** How far a projectile flies before it fizzles, in px. */
export const SHOT_RANGE_PX = (PROJECTILE_SPEED_PX_PER_S * PROJECTILE_LIFETIME_MS) / 1000;
/** Bots keep about this far from their target: closer they back off, farther they close in. */
const PREFERRED_RANGE_PX = { min: 160, max: 420 };

/** A bot's memory between ticks. */
export interface BrainMemory {
  /** Index into {@link DIRECTIONS}, or -1 to stand still. */
  direction: number;
  /** Ticks left before it picks a new direction anyway. */
  ticksLeft: number;
  /** Last aim (radians), held while no enemy is in sight. */
  aimRad: number;
}

/** What the bot knows this tick; `self` is undefined when it has no view of the state. */
export interface Perception {
  self: { x: number; y: number; alive: boolean } | undefined;
  enemies: readonly Point[];
}

export function newMemory(random: () => number): BrainMemory {
  return { direction: Math.floor(random() * DIRECTIONS.length), ticksLeft: 0, aimRad: random() * Math.PI * 2 };
}

/** Where `LOOKAHEAD_TICKS` steps in direction `d` take a player from `from`, by the shared movement rule. */
export function lookAhead(map: ArenaMap, from: Point, d: number, dtSeconds: number): Point {
  const [moveX, moveY] = DIRECTIONS[d]!;
  const body = { x: from.x, y: from.y, alive: true };
  for (let i = 0; i < LOOKAHEAD_TICKS; i++) applyInput(body, { moveX, moveY }, map, dtSeconds);
  return body;
}

/** True when walking `d` from `from` keeps clear of walls and makes real progress. */
export function isOpenDirection(map: ArenaMap, from: Point, d: number, dtSeconds: number): boolean {
  const end = lookAhead(map, from, d, dtSeconds);
  const free = LOOKAHEAD_TICKS * PLAYER_SPEED_PX_PER_S * dtSeconds;
  const progress = Math.hypot(end.x - from.x, end.y - from.y);
  return progress >= free * MIN_PROGRESS && !isBlocked(map, end.x, end.y, PLAYER_RADIUS_PX + WALL_MARGIN_PX);
}

/** True when nothing solid lies on the straight line from `a` to `b`. */
export function hasLineOfSight(map: ArenaMap, a: Point, b: Point): boolean {
  return map.walls.every((wall) => segmentHitsRect(a.x, a.y, b.x, b.y, wall, PROJECTILE_RADIUS_PX) < 0);
}

function nearest(from: Point, points: readonly Point[]): { point: Point; distance: number } | undefined {
  let best: { point: Point; distance: number } | undefined;
  for (const p of points) {
    const distance = Math.hypot(p.x - from.x, p.y - from.y);
    if (!best || distance < best.distance) best = { point: p, distance };
  }
  return best;
}

/** Pick a new direction among the open ones, leaning towards (or away from) the target. */
function chooseDirection(
  map: ArenaMap,
  self: Point,
  target: { point: Point; distance: number } | undefined,
  dtSeconds: number,
  random: () => number,
): number {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let d = 0; d < DIRECTIONS.length; d++) {
    if (!isOpenDirection(map, self, d, dtSeconds)) continue;
    let score = random();
    if (target) {
      const [mx, my] = DIRECTIONS[d]!;
      const toward =
        (mx * (target.point.x - self.x) + my * (target.point.y - self.y)) /
        (Math.hypot(mx, my) * Math.max(target.distance, 1));
      if (target.distance > PREFERRED_RANGE_PX.max) score += toward;
      else if (target.distance < PREFERRED_RANGE_PX.min) score -= toward;
    }
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

/**
 * The input for this tick. Movement: keep the current direction while it is
 * open, otherwise (or when its time is up) choose an open one. Aim: at the
 * nearest enemy; fire when it is in range with a clear line. Without a view of
 * the state (`self` undefined) the bot wanders and the server's walls stop it.
 */
export function decide(
  memory: BrainMemory,
  seen: Perception,
  map: ArenaMap,
  dtSeconds: number,
  random: () => number,
): InputFrame {
  const self = seen.self;
  if (!self) {
    if (memory.ticksLeft-- <= 0) {
      memory.direction = Math.floor(random() * DIRECTIONS.length);
      memory.ticksLeft = 20 + Math.floor(random() * 40);
    }
    const [moveX, moveY] = DIRECTIONS[memory.direction] ?? [0, 0];
    memory.aimRad = Math.atan2(moveY, moveX);
    return { moveX, moveY, aimRad: memory.aimRad, fire: random() < 0.05 };
  }

  const target = self.alive ? nearest(self, seen.enemies) : undefined;
  memory.ticksLeft -= 1;
  if (memory.direction < 0 || memory.ticksLeft <= 0 || !isOpenDirection(map, self, memory.direction, dtSeconds)) {
    memory.direction = chooseDirection(map, self, target, dtSeconds, random);
    memory.ticksLeft = 15 + Math.floor(random() * 45);
  }
  const [moveX, moveY] = DIRECTIONS[memory.direction] ?? [0, 0];

  let fire = false;
  if (target) {
    memory.aimRad = Math.atan2(target.point.y - self.y, target.point.x - self.x);
    fire = target.distance <= SHOT_RANGE_PX && hasLineOfSight(map, self, target.point);
  } else if (moveX !== 0 || moveY !== 0) {
    memory.aimRad = Math.atan2(moveY, moveX);
  }
  return { moveX, moveY, aimRad: memory.aimRad, fire };
}
