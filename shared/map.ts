/** Axis-aligned rectangle in world pixels; `x`/`y` is the top-left corner. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A playable map: its size, solid walls and spawn points, all in world pixels. */
export interface ArenaMap {
  readonly id: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly walls: readonly Rect[];
  readonly spawns: readonly Point[];
}

/**
 * The default arena: a 1600x1000 hall with cover in a symmetric layout, so no
 * spawn point is better than its mirror.
 */
export const ARENA_MAP: ArenaMap = {
  id: 'hall',
  widthPx: 1600,
  heightPx: 1000,
  walls: [
    { x: 760, y: 420, w: 80, h: 160 },
    { x: 300, y: 200, w: 200, h: 32 },
    { x: 1100, y: 200, w: 200, h: 32 },
    { x: 300, y: 768, w: 200, h: 32 },
    { x: 1100, y: 768, w: 200, h: 32 },
    { x: 560, y: 120, w: 32, h: 180 },
    { x: 1008, y: 120, w: 32, h: 180 },
    { x: 560, y: 700, w: 32, h: 180 },
    { x: 1008, y: 700, w: 32, h: 180 },
    { x: 200, y: 460, w: 140, h: 80 },
    { x: 1260, y: 460, w: 140, h: 80 },
  ],
  spawns: [
    { x: 80, y: 80 },
    { x: 1520, y: 80 },
    { x: 80, y: 920 },
    { x: 1520, y: 920 },
    { x: 800, y: 60 },
    { x: 800, y: 940 },
    { x: 60, y: 500 },
    { x: 1540, y: 500 },
    { x: 420, y: 500 },
    { x: 1180, y: 500 },
    { x: 680, y: 300 },
    { x: 920, y: 700 },
  ],
};
