/**
 * Broad phase for projectile hit tests: a uniform grid of axis-aligned boxes,
 * so a projectile looks only at the players whose box its path's box touches
 * instead of at every player. Pure and deterministic: candidates come back in
 * ascending insertion index, so a narrow phase that walks them in that order
 * finds exactly the target a walk over every player would (the first one in
 * the list that the path meets), on the server and in client prediction alike.
 * It allocates only while it grows; steady-state queries allocate nothing.
 */
import { PLAYER_RADIUS_PX, PROJECTILE_RADIUS_PX } from './constants.ts';
import type { ProjectileBody } from './sim.ts';

/** Side of one grid cell, in pixels: a few player widths, so a box spans few cells. */
export const BROADPHASE_CELL_PX = 128;

export class BoxGrid {
  private readonly cellPx: number;
  private readonly cols: number;
  private readonly rows: number;
  /** Box indices per cell; cleared by length so the arrays are reused. */
  private readonly cells: number[][];
  /** Cells touched since the last clear, so clearing costs only what was used. */
  private readonly used: number[] = [];
  /** minX, minY, maxX, maxY per box index. */
  private boxes = new Float64Array(64);
  /** Per box index, the query generation that last returned it (dedupe without a set). */
  private seen = new Uint32Array(16);
  private generation = 0;

  /**
   * @param widthPx map width in pixels; boxes outside the map are clamped to its edge cells
   * @param heightPx map height in pixels
   * @param cellPx grid cell side in pixels
   */
  constructor(widthPx: number, heightPx: number, cellPx = BROADPHASE_CELL_PX) {
    this.cellPx = cellPx;
    this.cols = Math.max(1, Math.ceil(widthPx / cellPx));
    this.rows = Math.max(1, Math.ceil(heightPx / cellPx));
    this.cells = Array.from({ length: this.cols * this.rows }, () => []);
  }

  /** Forget every box. */
  clear(): void {
    for (const c of this.used) this.cells[c]!.length = 0;
    this.used.length = 0;
  }

  private col(x: number): number {
    const c = Math.floor(x / this.cellPx);
    return c < 0 ? 0 : c >= this.cols ? this.cols - 1 : c;
  }

  private row(y: number): number {
    const r = Math.floor(y / this.cellPx);
    return r < 0 ? 0 : r >= this.rows ? this.rows - 1 : r;
  }

  /** Add box `index` (a small non-negative integer, each used once between clears). */
  insert(index: number, minX: number, minY: number, maxX: number, maxY: number): void {
    if (index * 4 + 4 > this.boxes.length) {
      const grown = new Float64Array(Math.max(this.boxes.length * 2, index * 4 + 4));
      grown.set(this.boxes);
      this.boxes = grown;
    }
    if (index >= this.seen.length) {
      const grown = new Uint32Array(Math.max(this.seen.length * 2, index + 1));
      grown.set(this.seen);
      this.seen = grown;
    }
    const b = index * 4;
    this.boxes[b] = minX;
    this.boxes[b + 1] = minY;
    this.boxes[b + 2] = maxX;
    this.boxes[b + 3] = maxY;
    const c0 = this.col(minX);
    const c1 = this.col(maxX);
    const r0 = this.row(minY);
    const r1 = this.row(maxY);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.cols + c;
        const list = this.cells[cell]!;
        if (list.length === 0) this.used.push(cell);
        list.push(index);
      }
    }
  }

  /**
   * Indices of the boxes that overlap the query box (edges touching count),
   * in ascending order, written to `out` from 0.
   *
   * @returns how many were written
   */
  query(minX: number, minY: number, maxX: number, maxY: number, out: number[]): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.seen.fill(0);
      this.generation = 1;
    }
    const gen = this.generation;
    let n = 0;
    const c0 = this.col(minX);
    const c1 = this.col(maxX);
    const r0 = this.row(minY);
    const r1 = this.row(maxY);
    const boxes = this.boxes;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const list = this.cells[r * this.cols + c]!;
        for (let i = 0; i < list.length; i++) {
          const index = list[i]!;
          if (this.seen[index] === gen) continue;
          this.seen[index] = gen;
          const b = index * 4;
          if (boxes[b]! > maxX || boxes[b + 2]! < minX || boxes[b + 1]! > maxY || boxes[b + 3]! < minY) continue;
          // Insertion sort: a handful of candidates, and no allocation.
          let j = n++;
          while (j > 0 && out[j - 1]! > index) {
            out[j] = out[j - 1]!;
            j--;
          }
          out[j] = index;
        }
      }
    }
    return n;
  }
}

/**
 * The box a projectile's path covers during its next step of `dtSeconds`,
 * grown by the hit radius (plus a pixel for rounding): any target whose
 * centre `traceProjectile` can hit on that step lies inside it. Walls only
 * shorten the path, so the unclipped segment bounds it.
 */
export function sweptBox(
  p: ProjectileBody,
  dtSeconds: number,
  out: { minX: number; minY: number; maxX: number; maxY: number },
  hitRadiusPx = PLAYER_RADIUS_PX + PROJECTILE_RADIUS_PX,
): void {
  const x1 = p.x + p.vxPxPerS * dtSeconds;
  const y1 = p.y + p.vyPxPerS * dtSeconds;
  const pad = hitRadiusPx + 1;
  out.minX = Math.min(p.x, x1) - pad;
  out.maxX = Math.max(p.x, x1) + pad;
  out.minY = Math.min(p.y, y1) - pad;
  out.maxY = Math.max(p.y, y1) + pad;
}
