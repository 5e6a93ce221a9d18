/**
 * The game scene's spectator mode: the camera (follow a player or fly free),
 * the bar on top, and "Step in". Stepping in only asks the server; the scene
 * ends spectator mode when our own player shows up in the state.
 */
import type Phaser from 'phaser';
import type { ArenaMap } from '../../shared/map.ts';
import type { Controls } from '../input/controls.ts';
import { SpectatorCamera, type Drawn } from '../input/spectatorCamera.ts';
import type { ArenaRoom } from '../net/connection.ts';
import { requestStepIn } from '../net/spectate.ts';
import { SpectatorBar } from './spectatorBar.ts';

/** A player as the spectator sees it: where it is drawn and its name. */
export interface WatchedPlayer extends Drawn {
  name: string;
}

export class SpectatorMode {
  readonly bar: SpectatorBar;
  private readonly camera: SpectatorCamera;
  private asking = false;

  constructor(scene: Phaser.Scene, room: ArenaRoom, controls: Controls, name: string, map: ArenaMap) {
    this.camera = new SpectatorCamera(scene, controls, map);
    this.bar = new SpectatorBar(name, {
      follow: (id) => this.camera.follow(id),
      cycle: (step) => this.camera.cycle(step),
      freeCamera: () => this.camera.freeCamera(),
      stepIn: (raw) => void this.stepIn(room, raw),
    });
  }

  /** The player the camera follows (undefined: free camera). */
  get followingId(): string | undefined {
    return this.camera.followingId;
  }

  /** One frame: move the camera and refresh the bar; `players` in a stable order. */
  update(deltaMs: number, players: readonly WatchedPlayer[]): void {
    this.camera.update(deltaMs, players);
    this.bar.update(players, this.camera.followingId);
  }

  private async stepIn(room: ArenaRoom, name: string): Promise<void> {
    if (this.asking) return;
    this.asking = true;
    this.bar.setBusy(true);
    this.bar.say('Asking for a seat…');
    const answer = await requestStepIn(room, name);
    this.asking = false;
    this.bar.setBusy(false);
    if (answer.ok) this.bar.say(`Stepping in as ${answer.name}…`);
    else this.bar.say(`Cannot step in: ${answer.reason}.`, true);
  }

  dispose(): void {
    this.camera.dispose();
    this.bar.root.remove();
  }
}
