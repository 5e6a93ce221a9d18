/**
 * How the match camera frames the arena, as pure arithmetic: how far past
 * the map edge it may show, and the zoom that shows every screen the same
 * part of the world.
 */
import type { ArenaMap } from '../../shared/map.ts';

/**
 * Space the camera may show past the map edge, in world px: the border reads
 * as a wall and not the screen edge, and a player in a corner stays clear of
 * the HUD cards.
 */
export const CAMERA_MARGIN_PX = 160;

/**
 * World area every screen shows (zoom scales to it), in world px, so a big
 * monitor sees the same part of the arena as a laptop and gains no advantage.
 */
export const VIEW_WORLD_W = 1280;
export const VIEW_WORLD_H = 720;

/** Below this zoom players get too small to read: a small window then simply sees less. */
export const MIN_ZOOM = 0.75;
export const MAX_ZOOM = 2;

/** The world rectangle the camera may scroll over: the map and {@link CAMERA_MARGIN_PX} around it. */
export function cameraBounds(map: Pick<ArenaMap, 'widthPx' | 'heightPx'>): {
  x: number;
  y: number;
  width: number;
  height: number;
} {
  return {
    x: -CAMERA_MARGIN_PX,
    y: -CAMERA_MARGIN_PX,
    width: map.widthPx + 2 * CAMERA_MARGIN_PX,
    height: map.heightPx + 2 * CAMERA_MARGIN_PX,
  };
}

/** The zoom for a game canvas of `width` × `height` px: the view world area fits, within {@link MIN_ZOOM}..{@link MAX_ZOOM}. */
export function fitZoom(width: number, height: number): number {
  const zoom = Math.min(width / VIEW_WORLD_W, height / VIEW_WORLD_H);
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}
