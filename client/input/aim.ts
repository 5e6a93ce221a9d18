/**
 * Where our player aims, as pure arithmetic: toward the mouse pointer from
 * where our player is drawn, both in world space.
 */

/** Closer than this to our player (world px), the pointer keeps the aim it had: the angle would jump about. */
export const AIM_DEAD_ZONE_PX = 2;

/** The aim (radians, 0 = +x, clockwise on screen) from `from` toward `to`, or `current` when `to` is too close to tell. */
export function aimToward(from: { x: number; y: number }, to: { x: number; y: number }, current: number): number {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  return dx * dx + dy * dy > AIM_DEAD_ZONE_PX * AIM_DEAD_ZONE_PX ? Math.atan2(dy, dx) : current;
}
