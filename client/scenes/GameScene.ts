/**
 * A match: the map, every player, shots in flight, and the HUD, driven by one
 * joined arena room. Each frame: advance prediction and send the inputs that
 * fell due, then draw every player where the netcode says (predicted for us,
 * interpolated for others), then refresh the HUD from the state.
 *
 * The scene wires the parts together; each lives in its own module: camera
 * render/arenaCamera.ts, aim input/pointerAim.ts, game objects and schema
 * callbacks render/matchRoster.ts, DOM overlay ui/matchUi.ts (what it shows
 * ui/hudModel.ts), server messages net/matchMessages.ts, room lifecycle
 * net/roomLifecycle.ts, ping net/pingTimer.ts, test hook matchProbe.ts.
 */
import Phaser from 'phaser';
import { RESPAWN_DELAY_MS } from '../../shared/constants.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { scoreboardRows } from '../../shared/scoreboard.ts';
import { Controls } from '../input/controls.ts';
import { PointerAim } from '../input/pointerAim.ts';
import { matchProbe } from '../matchProbe.ts';
import { describeLeave, type ArenaConnection, type ArenaRoom } from '../net/connection.ts';
import { listenToMatch } from '../net/matchMessages.ts';
import { startPingTimer } from '../net/pingTimer.ts';
import { confirmWithinMs } from '../net/predictedShots.ts';
import { Netcode } from '../net/prediction.ts';
import { watchRoom } from '../net/roomLifecycle.ts';
import { frameArena } from '../render/arenaCamera.ts';
import { drawMap } from '../render/mapView.ts';
import { MatchRoster } from '../render/matchRoster.ts';
import { ProjectileLayer } from '../render/projectiles.ts';
import { SceneKeys } from '../sceneKeys.ts';
import { setGameProbe } from '../testHook.ts';
import { welcomeLine } from '../ui/hudModel.ts';
import { MatchUi } from '../ui/matchUi.ts';
import { SpectatorMode } from '../ui/spectatorMode.ts';
import type { LobbySceneData } from './LobbyScene.ts';

/** What the lobby hands over: the joined room and the name we joined with. */
export interface GameSceneData {
  room: ArenaRoom;
  name: string;
  /** Set when a server hand-off brought us here from that room. */
  movedFrom?: string;
  /** A private room's invite code: its link is shown to pass on. */
  inviteCode?: string;
  /** Joined as a spectator: no player until we step in. */
  spectating?: boolean;
}

const PING_EVERY_MS = 2000;

/** The in-match scene; started by the lobby with a joined room, returns to the lobby when the room is gone. */
export class GameScene extends Phaser.Scene {
  private room!: ArenaRoom;
  private name = '';
  private movedFrom: string | undefined;
  private inviteCode: string | undefined;
  /** Set while we watch without a player (see `ui/spectatorMode.ts`). */
  private spectator: SpectatorMode | null = null;
  private spectating = false;
  private net!: Netcode;
  private controls!: Controls;
  private aim!: PointerAim;
  private projectiles!: ProjectileLayer;
  private roster!: MatchRoster;
  private ui!: MatchUi;
  private readonly cleanups: Array<() => void> = [];
  private pingMs: number | null = null;
  /** The server's respawn delay, from the last kill event that named us; kept when a hand-off restarts the scene. */
  private respawnInMs = RESPAWN_DELAY_MS;
  private leaving = false;

  constructor(private readonly connection: ArenaConnection) {
    super(SceneKeys.Game);
  }

  init(data: GameSceneData): void {
    this.room = data.room;
    this.movedFrom = data.movedFrom;
    this.inviteCode = data.inviteCode;
    this.name = data.name;
    this.spectating = data.spectating === true;
    this.cleanups.length = 0;
    this.pingMs = null;
    this.leaving = false;
  }

  create(): void {
    this.cleanups.push(frameArena(this, ARENA_MAP));
    drawMap(this, ARENA_MAP);

    const room = this.room;
    this.net = new Netcode(room);
    this.projectiles = new ProjectileLayer(this, ARENA_MAP);
    this.controls = new Controls();
    this.aim = new PointerAim(this, this.controls);
    if (this.spectating) this.spectator = new SpectatorMode(this, room, this.controls, this.name, ARENA_MAP);

    this.ui = new MatchUi({
      room,
      controls: this.controls,
      serverUrl: this.connection.serverUrl,
      inviteCode: this.inviteCode,
      spectatorBar: this.spectator?.bar.root ?? null,
      respawnInMs: this.respawnInMs,
      leave: () => void this.leave(),
    });
    this.cleanups.push(() => this.ui.destroy());
    this.ui.chat.addSystem(welcomeLine(room.roomId, this.name, this.movedFrom, this.spectator !== null));
    this.roster = new MatchRoster(this, room, this.net, this.projectiles, {
      localJoined: (view, player) => {
        // We stepped in: from now on we play.
        this.endSpectating();
        this.net.bindLocal(player);
        this.cameras.main.startFollow(view.container, false, 0.18, 0.18);
      },
      announce: (text) => this.ui.chat.addSystem(text),
    });
    this.cleanups.push(...this.roster.listen());
    const { ui, roster, net, projectiles } = this;
    this.cleanups.push(...listenToMatch(room, { ui, roster, net, projectiles }));
    this.wireConnection();
    setGameProbe(matchProbe({ scene: this, room, net, roster, projectiles, spectator: () => this.spectator }));
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, this.teardown, this);
  }

  override update(time: number, delta: number): void {
    const now = performance.now();
    // A spectator sends no inputs (the server refuses them); its movement keys fly the camera.
    this.net.frame(time, this.spectator ? null : () => ({ ...this.controls.read(), aimRad: this.aim.rad }));
    const targets = this.roster.draw(now, (drawnAt) => this.aim.update(drawnAt));
    // Our shots fly against the others where this screen shows them; the server confirms within a few round trips or never.
    this.net.shots.advance(now, targets, confirmWithinMs(this.net.rttMs));
    this.projectiles.update(now, this.net.shots.flying());
    this.spectator?.update(delta, this.roster.watched());
    this.updateHud(now);
  }

  private wireConnection(): void {
    const room = this.room;
    this.cleanups.push(
      watchRoom(this.connection.client, room, {
        dropped: () => {
          this.controls.releaseAll();
          this.ui.reconnect.show();
        },
        reconnected: () => {
          this.ui.reconnect.hide();
          this.ui.chat.addSystem('Reconnected.');
        },
        left: (code, reason) => {
          const expected = this.leaving;
          // The socket is gone: teardown must not try to leave again.
          this.leaving = true;
          if (expected || !this.sys.isActive()) return;
          this.toLobby(describeLeave(code, reason));
        },
        // A draining or rebalanced server moves the match: carry on in the new room, same player, same score.
        moved: (next) => {
          this.leaving = true;
          const data: GameSceneData = {
            room: next,
            name: this.name,
            movedFrom: room.roomId,
            ...(this.inviteCode === undefined ? {} : { inviteCode: this.inviteCode }),
            ...(this.spectator ? { spectating: true } : {}),
          };
          this.scene.restart(data);
        },
        closing: (event) => {
          this.leaving = true;
          this.toLobby(`${event.message} Round ${event.round} winner: ${event.rows[0]?.name ?? 'nobody'}.`);
        },
      }),
    );
    // Closing the tab is a deliberate leave: free the seat now instead of holding it for the reconnect grace.
    const onPageHide = (): void => void room.leave(true).catch(() => undefined);
    window.addEventListener('pagehide', onPageHide);
    this.cleanups.push(() => window.removeEventListener('pagehide', onPageHide));

    this.cleanups.push(
      startPingTimer(room, {
        everyMs: PING_EVERY_MS,
        paused: () => this.ui.reconnect.visible,
        onRtt: (ms) => {
          this.pingMs = ms;
        },
      }),
    );
  }

  private updateHud(now: number): void {
    const state = this.room.state;
    const view = {
      joinedAs: this.name,
      spectating: this.spectator !== null,
      me: this.net.me,
      localAlive: this.net.localAlive,
      round: state.round,
      players: state.players?.size ?? 0,
      roomId: this.room.roomId,
      pingMs: this.pingMs,
      rttMs: this.net.rttMs,
    };
    // Scores straight from the state, for a player who joined during the scoreboard.
    this.ui.update(view, now, this.room.sessionId, () => scoreboardRows(state.players ?? []));
  }

  private async leave(): Promise<void> {
    if (this.leaving) return;
    this.leaving = true;
    await this.room.leave().catch(() => undefined);
    this.toLobby(undefined);
  }

  private toLobby(message: string | undefined): void {
    const data: LobbySceneData = message ? { message } : {};
    this.scene.start(SceneKeys.Lobby, data);
  }

  /** Our player appeared (we stepped in): the camera follows it, the keys move it. */
  private endSpectating(): void {
    if (!this.spectator) return;
    this.spectator.dispose();
    this.spectator = null;
    this.controls.releaseAll();
    this.ui.chat.addSystem('You stepped in. Good luck!');
  }

  private teardown(): void {
    setGameProbe(null);
    this.spectator?.dispose();
    this.spectator = null;
    this.respawnInMs = this.ui.respawnInMs;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.net.dispose();
    this.controls.dispose();
    this.projectiles.destroy();
    this.roster.destroy();
    if (!this.leaving) void this.room.leave().catch(() => undefined);
  }
}
