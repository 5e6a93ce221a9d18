/**
 * Draws an {@link ArenaMap}: floor with a light grid (so motion reads even
 * against empty floor), the outer border, and the walls with a drop shadow and
 * a lit top edge. Static: drawn once into two Graphics objects.
 */
import type Phaser from 'phaser';
import type { ArenaMap } from '../../shared/map.ts';
import { COLORS } from './palette.ts';

const GRID_PX = 50;
const MAJOR_EVERY = 4;
const SHADOW_OFFSET_PX = 6;

/** Draw `map` into `scene` below everything else; returns the objects for cleanup. */
export function drawMap(scene: Phaser.Scene, map: ArenaMap): Phaser.GameObjects.Graphics[] {
  const floor = scene.add.graphics().setDepth(-10);
  floor.fillStyle(COLORS.floor, 1).fillRect(0, 0, map.widthPx, map.heightPx);

  for (let x = GRID_PX, i = 1; x < map.widthPx; x += GRID_PX, i++) {
    floor.lineStyle(1, i % MAJOR_EVERY === 0 ? COLORS.gridMajor : COLORS.grid, 1);
    floor.lineBetween(x, 0, x, map.heightPx);
  }
  for (let y = GRID_PX, i = 1; y < map.heightPx; y += GRID_PX, i++) {
    floor.lineStyle(1, i % MAJOR_EVERY === 0 ? COLORS.gridMajor : COLORS.grid, 1);
    floor.lineBetween(0, y, map.widthPx, y);
  }
  floor.lineStyle(4, COLORS.border, 1).strokeRect(-2, -2, map.widthPx + 4, map.heightPx + 4);

  const walls = scene.add.graphics().setDepth(-5);
  for (const w of map.walls) {
    walls.fillStyle(COLORS.wallShadow, 0.55).fillRect(w.x + SHADOW_OFFSET_PX, w.y + SHADOW_OFFSET_PX, w.w, w.h);
  }
  for (const w of map.walls) {
    walls.fillStyle(COLORS.wall, 1).fillRect(w.x, w.y, w.w, w.h);
    walls.fillStyle(COLORS.wallTop, 1).fillRect(w.x + 3, w.y + 3, w.w - 6, w.h - 6);
    walls.lineStyle(2, COLORS.wallEdge, 1).strokeRect(w.x, w.y, w.w, w.h);
  }
  return [floor, walls];
}
