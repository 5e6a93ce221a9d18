/**
 * Where a world point is on the page: the camera's scroll and zoom, then the
 * canvas's CSS scaling and position. Pure arithmetic, for the test hook
 * (browser tests click and read pixels at page coordinates).
 */

/** The camera as this mapping reads it (Phaser's `Camera`: viewport offset, zoom, visible world area). */
export interface CameraView {
  /** Viewport position inside the canvas, in game pixels. */
  x: number;
  y: number;
  zoom: number;
  /** The world area in view; its top-left is the world point drawn at the viewport's corner. */
  worldView: { x: number; y: number };
}

/** The canvas's box on the page (`getBoundingClientRect`), in CSS pixels. */
export interface CanvasBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The page point (CSS pixels) where world point (`x`, `y`) is drawn, for a game `gameWidth` × `gameHeight` pixels large. */
export function worldToPage(
  cam: CameraView,
  canvas: CanvasBox,
  gameWidth: number,
  gameHeight: number,
  x: number,
  y: number,
): { x: number; y: number } {
  const scaleX = canvas.width / gameWidth;
  const scaleY = canvas.height / gameHeight;
  return {
    x: canvas.left + (cam.x + (x - cam.worldView.x) * cam.zoom) * scaleX,
    y: canvas.top + (cam.y + (y - cam.worldView.y) * cam.zoom) * scaleY,
  };
}
