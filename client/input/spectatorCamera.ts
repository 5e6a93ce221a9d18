/**
 * A spectator's camera: it follows a chosen player, or flies free. Q / E (or
 * [ / ]) cycle through the players, F frees the camera, and the movement keys
 * (WASD, arrows, the touch move stick: the same `Controls` a player moves
 * with) or dragging the map fly it. With nobody chosen it follows the first
 * player, and when the followed player leaves it moves on to the next.
 */
import Phaser from 'phaser';
import type { ArenaMap } from '../../shared/map.ts';
import { isTyping } from '../ui/dom.ts';
import type { Controls } from './controls.ts';

/** Free camera speed under the movement keys, world px per second. */
const FREE_CAMERA_PX_PER_S = 700;
/** How quickly the camera closes on the followed player: the gap shrinks by e every this many ms. */
const FOLLOW_TIME_CONSTANT_MS = 90;

const PREVIOUS = new Set(['KeyQ', 'BracketLeft']);
const NEXT = new Set(['KeyE', 'BracketRight']);
const FREE = new Set(['KeyF']);

/** Where a player is drawn, in world pixels. */
export interface Drawn {
  id: string;
  x: number;
  y: number;
}

export class SpectatorCamera {
  private following: string | undefined;
  private free = false;
  private pendingCycle: 1 | -1 | 0 = 0;
  private readonly center: { x: number; y: number };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (isTyping(event.target)) return;
    if (PREVIOUS.has(event.code)) this.pendingCycle = -1;
    else if (NEXT.has(event.code)) this.pendingCycle = 1;
    else if (FREE.has(event.code)) this.freeCamera();
  };

  private readonly onPointerMove = (pointer: Phaser.Input.Pointer): void => {
    if (!pointer.isDown) return;
    const zoom = this.camera.zoom;
    this.free = true;
    this.center.x -= (pointer.x - pointer.prevPosition.x) / zoom;
    this.center.y -= (pointer.y - pointer.prevPosition.y) / zoom;
  };

  constructor(
    private readonly scene: Phaser.Scene,
    private readonly controls: Controls,
    private readonly map: ArenaMap,
  ) {
    this.camera.stopFollow();
    this.center = { x: this.camera.midPoint.x, y: this.camera.midPoint.y };
    window.addEventListener('keydown', this.onKeyDown);
    scene.input.on(Phaser.Input.Events.POINTER_MOVE, this.onPointerMove);
  }

  private get camera(): Phaser.Cameras.Scene2D.Camera {
    return this.scene.cameras.main;
  }

  /** The player followed, or undefined for the free camera. */
  get followingId(): string | undefined {
    return this.free ? undefined : this.following;
  }

  follow(sessionId: string): void {
    this.following = sessionId;
    this.free = false;
  }

  freeCamera(): void {
    this.free = true;
  }

  /** Follow the next (1) or previous (-1) player, at the next frame. */
  cycle(step: 1 | -1): void {
    this.pendingCycle = step;
  }

  /** Move the camera for a frame of `deltaMs`, given where every player is drawn (in a stable order). */
  update(deltaMs: number, players: readonly Drawn[]): void {
    const dt = Math.min(deltaMs, 100);
    if (this.pendingCycle !== 0 && players.length > 0) {
      const at = players.findIndex((p) => p.id === this.following);
      const next = at < 0 ? 0 : (at + this.pendingCycle + players.length) % players.length;
      this.follow(players[next]!.id);
    }
    this.pendingCycle = 0;
    const { moveX, moveY } = this.controls.read();
    if (moveX !== 0 || moveY !== 0) {
      this.free = true;
      const step = (FREE_CAMERA_PX_PER_S * dt) / 1000;
      this.center.x += moveX * step;
      this.center.y += moveY * step;
    }
    if (!this.free) {
      let target = players.find((p) => p.id === this.following);
      // Nobody chosen yet, or the chosen one left: follow whoever is first.
      if (!target && players[0]) {
        target = players[0];
        this.following = target.id;
      }
      if (target) {
        const k = 1 - Math.exp(-dt / FOLLOW_TIME_CONSTANT_MS);
        this.center.x += (target.x - this.center.x) * k;
        this.center.y += (target.y - this.center.y) * k;
      }
    }
    this.center.x = Phaser.Math.Clamp(this.center.x, 0, this.map.widthPx);
    this.center.y = Phaser.Math.Clamp(this.center.y, 0, this.map.heightPx);
    this.camera.centerOn(this.center.x, this.center.y);
  }

  dispose(): void {
    window.removeEventListener('keydown', this.onKeyDown);
    this.scene.input.off(Phaser.Input.Events.POINTER_MOVE, this.onPointerMove);
  }
}
