/**
 * Aiming and firing with a mouse (or the touch aim stick, through
 * {@link Controls}): the left button fires, and the aim follows the pointer
 * once it has moved over the game; the stick, while held, wins.
 */
import Phaser from 'phaser';
import { aimToward } from './aim.ts';
import type { Controls } from './controls.ts';

export class PointerAim {
  /** Our aim, in radians. */
  rad = 0;
  private pointerSeen = false;

  /** Listens to the pointer of `scene` for as long as the scene's input plugin lives. */
  constructor(
    private readonly scene: Phaser.Scene,
    private readonly controls: Controls,
  ) {
    scene.input.on(Phaser.Input.Events.POINTER_DOWN, (p: Phaser.Input.Pointer) => {
      if (p.leftButtonDown()) controls.setPointer(true);
    });
    scene.input.on(Phaser.Input.Events.POINTER_UP, () => controls.setPointer(false));
    scene.input.on(Phaser.Input.Events.POINTER_MOVE, () => {
      this.pointerSeen = true;
    });
  }

  /** Aim from our drawn position `from` to the pointer, in world space (the camera may have moved); answers the aim. */
  update(from: { x: number; y: number }): number {
    const stickAim = this.controls.touchAimRad;
    if (stickAim !== null) this.rad = stickAim;
    if (stickAim !== null || !this.pointerSeen) return this.rad;
    const p = this.scene.input.activePointer;
    this.rad = aimToward(from, this.scene.cameras.main.getWorldPoint(p.x, p.y), this.rad);
    return this.rad;
  }
}
