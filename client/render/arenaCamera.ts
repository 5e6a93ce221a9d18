/**
 * The match camera: bounded to the arena and a margin around it, centred on
 * the map until it has a player to follow, and zoomed so that every screen
 * shows the same part of the world, again whenever the canvas is resized
 * (see `cameraFit.ts`).
 */
import Phaser from 'phaser';
import type { ArenaMap } from '../../shared/map.ts';
import { cameraBounds, fitZoom } from './cameraFit.ts';
import { COLORS } from './palette.ts';

/** Set up the main camera of `scene` over `map`; returns what undoes the resize listener. */
export function frameArena(scene: Phaser.Scene, map: ArenaMap): () => void {
  const cam = scene.cameras.main;
  cam.setBackgroundColor(COLORS.background);
  const bounds = cameraBounds(map);
  cam.setBounds(bounds.x, bounds.y, bounds.width, bounds.height);
  cam.centerOn(map.widthPx / 2, map.heightPx / 2);
  const fit = (): void => {
    cam.setZoom(fitZoom(scene.scale.width, scene.scale.height));
  };
  fit();
  scene.scale.on(Phaser.Scale.Events.RESIZE, fit);
  return () => scene.scale.off(Phaser.Scale.Events.RESIZE, fit);
}
