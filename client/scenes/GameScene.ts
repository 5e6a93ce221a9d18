/**
 * Over 300 lines on purpose: the scene is where Phaser, the DOM overlays, the
 * room's schema callbacks and messages meet, and several features are being
 * added to it in parallel; its pure parts live elsewhere (HUD model and
 * overlay choice ui/hudModel.ts, scoreboard order shared/scoreboard.ts, ping
 * timer net/pingTimer.ts, page mapping render/pageMapping.ts, netcode
 * net/prediction.ts).
 *
 * A match: the map, every player, shots in flight, and the HUD, driven by one
 * joined arena room. Each frame: advance prediction and send the inputs that
 * fell due, then draw every player where the netcode says (predicted for us,
 * interpolated for others), then refresh the HUD from the state.
 */
import { Callbacks } from '@colyseus/sdk';
import Phaser from 'phaser';
import { RESPAWN_DELAY_MS, TICK_RATE_HZ } from '../../shared/constants.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import {
  ClientMessage,
  parseHit,
  ServerMessage,
  type ChatBroadcast,
  type KillEvent,
  type Notice,
  type RoundOverEvent,
  type ScoreRow,
} from '../../shared/messages.ts';
import type { HitTarget } from '../../shared/sim.ts';
import type { Player, Projectile } from '../../shared/state.ts';
import { Controls } from '../input/controls.ts';
import { mountTouchControls } from '../input/touchControls.ts';
import { log } from '../log.ts';
import { describeLeave, type ArenaConnection, type ArenaRoom } from '../net/connection.ts';
import { watchRoom } from '../net/roomLifecycle.ts';
import { confirmWithinMs } from '../net/predictedShots.ts';
import { Netcode, type Position } from '../net/prediction.ts';
import { drawMap } from '../render/mapView.ts';
import { COLORS, cssColor, playerColor } from '../render/palette.ts';
import { PlayerView } from '../render/playerView.ts';
import { ProjectileLayer } from '../render/projectiles.ts';
import { SceneKeys } from '../sceneKeys.ts';
import { setGameProbe, type RenderedPlayer } from '../testHook.ts';
import { ChatBox } from '../ui/chat.ts';
import { el, uiRoot } from '../ui/dom.ts';
import { Hud } from '../ui/hud.ts';
import { InviteBox } from '../ui/inviteBox.ts';
import { DeathOverlay, ReconnectOverlay, ScoreboardOverlay } from '../ui/overlays.ts';
import { LeaderboardPanel } from '../ui/leaderboardPanel.ts';
import { SpectatorMode } from '../ui/spectatorMode.ts';
import { fetchBoard } from '../net/leaderboard.ts';
import type { LobbySceneData } from './LobbyScene.ts';
import { scoreboardRows } from '../../shared/scoreboard.ts';
import { hudModel, overlayFor, type MatchView } from '../ui/hudModel.ts';
import { startPingTimer } from '../net/pingTimer.ts';
import { worldToPage } from '../render/pageMapping.ts';

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
/**
 * Space the camera may show past the map edge: the border reads as a wall and
 * not the screen edge, and a player in a corner stays clear of the HUD cards.
 */
const CAMERA_MARGIN_PX = 160;
/**
 * World area every screen shows (zoom scales to it), so a big monitor sees
 * the same part of the arena as a laptop and gains no advantage.
 */
const VIEW_WORLD_W = 1280;
const VIEW_WORLD_H = 720;

interface Entry {
  state: Player;
  view: PlayerView;
}

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
  private projectiles!: ProjectileLayer;
  private hud!: Hud;
  private chat!: ChatBox;
  private death!: DeathOverlay;
  private reconnect!: ReconnectOverlay;
  private scoreboard!: ScoreboardOverlay;
  private readonly entries = new Map<string, Entry>();
  private readonly cleanups: Array<() => void> = [];
  private readonly scratch: Position = { x: 0, y: 0 };
  private aimRad = 0;
  private pointerSeen = false;
  private pingMs: number | null = null;
  private lastRoundOver: RoundOverEvent | null = null;
  private killedBy: string | null = null;
  /** The server's respawn delay, from the last kill event that named us. */
  private respawnInMs = RESPAWN_DELAY_MS;
  private leaving = false;
  /** Joins are announced in chat only after the first full state, not for players already there. */
  private announceJoins = false;

  constructor(private readonly connection: ArenaConnection) {
    super(SceneKeys.Game);
  }

  init(data: GameSceneData): void {
    this.room = data.room;
    this.movedFrom = data.movedFrom;
    this.inviteCode = data.inviteCode;
    this.name = data.name;
    this.spectating = data.spectating === true;
    this.entries.clear();
    this.cleanups.length = 0;
    this.aimRad = 0;
    this.pointerSeen = false;
    this.pingMs = null;
    this.lastRoundOver = null;
    this.killedBy = null;
    this.leaving = false;
    this.announceJoins = false;
  }

  create(): void {
    const cam = this.cameras.main;
    cam.setBackgroundColor(COLORS.background);
    cam.setBounds(
      -CAMERA_MARGIN_PX,
      -CAMERA_MARGIN_PX,
      ARENA_MAP.widthPx + 2 * CAMERA_MARGIN_PX,
      ARENA_MAP.heightPx + 2 * CAMERA_MARGIN_PX,
    );
    cam.centerOn(ARENA_MAP.widthPx / 2, ARENA_MAP.heightPx / 2);
    this.fitZoom();
    this.scale.on(Phaser.Scale.Events.RESIZE, this.fitZoom, this);
    this.cleanups.push(() => this.scale.off(Phaser.Scale.Events.RESIZE, this.fitZoom, this));
    drawMap(this, ARENA_MAP);

    this.net = new Netcode(this.room);
    this.projectiles = new ProjectileLayer(this, ARENA_MAP);
    this.controls = new Controls();
    this.input.on(Phaser.Input.Events.POINTER_DOWN, (p: Phaser.Input.Pointer) => {
      if (p.leftButtonDown()) this.controls.setPointer(true);
    });
    this.input.on(Phaser.Input.Events.POINTER_UP, () => this.controls.setPointer(false));
    this.input.on(Phaser.Input.Events.POINTER_MOVE, () => (this.pointerSeen = true));
    if (this.spectating) this.spectator = new SpectatorMode(this, this.room, this.controls, this.name, ARENA_MAP);

    this.buildUi();
    this.wireState();
    this.wireMessages();
    this.wireConnection();
    this.installProbe();
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, this.teardown, this);
  }

  override update(time: number, delta: number): void {
    const now = performance.now();
    // A spectator sends no inputs (the server refuses them); its movement keys fly the camera.
    this.net.frame(time, this.spectator ? null : () => ({ ...this.controls.read(), aimRad: this.aimRad }));

    const targets: HitTarget[] = [];
    for (const [id, { state, view }] of this.entries) {
      const pos = this.net.position(id, state, this.scratch);
      if (!view.isLocal && state.alive) targets.push({ id, x: pos.x, y: pos.y });
      view.setPosition(pos.x, pos.y);
      view.setName(state.name);
      view.setHp(state.hp, now);
      if (view.isLocal) {
        this.updateAim(pos);
        view.setAim(this.aimRad);
        view.setAlive(this.net.localAlive);
      } else {
        view.setAim(this.net.aim(id, state));
        view.setAlive(state.alive);
      }
      view.update(now);
    }
    // Our shots fly against the others where this screen shows them; the server confirms within a few round trips or never.
    this.net.shots.advance(now, targets, confirmWithinMs(this.net.rttMs));
    this.projectiles.update(now, this.net.shots.flying());
    this.spectator?.update(
      delta,
      [...this.entries].map(([id, { view }]) => ({ id, name: view.name, x: view.container.x, y: view.container.y })),
    );
    this.updateHud(now);
  }

  private fitZoom(): void {
    const zoom = Math.min(this.scale.width / VIEW_WORLD_W, this.scale.height / VIEW_WORLD_H);
    // Below 0.75 players get too small to read; a small window then simply sees less.
    this.cameras.main.setZoom(Math.min(2, Math.max(0.75, zoom)));
  }

  /** Aim from our drawn position to the mouse, in world space (the camera may have moved). */
  private updateAim(from: Position): void {
    const stickAim = this.controls.touchAimRad;
    if (stickAim !== null) this.aimRad = stickAim;
    if (stickAim !== null || !this.pointerSeen) return;
    const p = this.input.activePointer;
    const world = this.cameras.main.getWorldPoint(p.x, p.y);
    const dx = world.x - from.x;
    const dy = world.y - from.y;
    if (dx * dx + dy * dy > 4) this.aimRad = Math.atan2(dy, dx);
  }

  private buildUi(): void {
    this.hud = new Hud();
    this.chat = new ChatBox({
      placeholder: 'Enter to chat · Esc to cancel',
      send: (text) => this.room.send(ClientMessage.Chat, { text }),
      enterOpens: true,
      fade: true,
      focusChanged: (focused) => {
        if (focused) this.controls.releaseAll();
      },
    });
    this.death = new DeathOverlay();
    this.reconnect = new ReconnectOverlay(() => this.room.state.reconnectGraceS ?? 0);
    this.scoreboard = new ScoreboardOverlay(
      new LeaderboardPanel((board) => fetchBoard(this.connection.serverUrl, board, 5), 'round-leaderboard'),
    );
    const leave = el('button', {
      class: 'btn small leave',
      text: 'Leave',
      attrs: { type: 'button' },
      on: { click: () => void this.leave() },
    });
    const invite = this.inviteCode === undefined ? null : new InviteBox(this.inviteCode, window.location.origin).root;
    const root = el('div', { class: 'game-ui' }, [
      mountTouchControls(this.controls, () => this.chat.open()),
      this.hud.root,
      this.chat.root,
      this.death.root,
      this.scoreboard.root,
      this.reconnect.root,
      invite,
      this.spectator?.bar.root ?? null,
      leave,
    ]);
    uiRoot().append(root);
    this.cleanups.push(() => {
      this.chat.destroy();
      root.remove();
    });
    this.chat.addSystem(
      this.movedFrom
        ? `The match moved to another server (room ${this.room.roomId}); play on.`
        : this.spectator
          ? `Watching room ${this.room.roomId}.`
          : `Joined room ${this.room.roomId} as ${this.name}.`,
    );
  }

  private wireState(): void {
    const callbacks = Callbacks.get(this.room);
    this.room.onStateChange.once(() => (this.announceJoins = true));
    this.cleanups.push(
      callbacks.onAdd('players', (player, id) => this.addPlayer(player, id)),
      callbacks.onRemove('players', (_player, id) => this.removePlayer(id)),
      callbacks.onAdd('projectiles', (shot, id) => this.addShot(shot, id)),
      callbacks.onRemove('projectiles', (_shot, id) => {
        this.net.shots.serverRemoved(id);
        this.projectiles.remove(id, performance.now());
      }),
    );
  }

  private addPlayer(player: Player, id: string): void {
    if (this.entries.has(id)) return;
    const isLocal = id === this.room.sessionId;
    const view = new PlayerView(this, id, player.name, playerColor(id, isLocal), isLocal);
    const pos = this.net.position(id, player, this.scratch);
    view.setPosition(pos.x, pos.y);
    this.entries.set(id, { state: player, view });
    if (isLocal) {
      // We stepped in: from now on we play.
      this.endSpectating();
      this.net.bindLocal(player);
      this.cameras.main.startFollow(view.container, false, 0.18, 0.18);
    } else if (this.announceJoins) {
      this.chat.addSystem(`${player.name} joined.`);
    }
  }

  private removePlayer(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    entry.view.destroy();
    if (id !== this.room.sessionId) this.chat.addSystem(`${entry.view.name} left.`);
  }

  private addShot(shot: Projectile, id: string): void {
    const stepMs = this.net.input.stepMs ?? 1000 / TICK_RATE_HZ;
    const ticksOld = Math.max(0, this.room.state.tick - shot.firedTick + 1);
    const mine = shot.ownerId === this.room.sessionId;
    // Our own shot, already flying since we fired: the server's projectile takes it over, not drawn twice.
    if (mine && this.net.shots.confirm(id, shot)) return;
    this.projectiles.add(
      id,
      {
        x: shot.x,
        y: shot.y,
        aimRad: shot.aimRad,
        color: playerColor(shot.ownerId, mine),
        ageOnArrivalMs: Math.min(ticksOld * stepMs, 250),
        delayMs: mine ? 0 : this.net.interpDelayMs,
      },
      performance.now(),
    );
  }

  private wireMessages(): void {
    const room = this.room;
    const colorOf = (sessionId: string): string => cssColor(playerColor(sessionId, sessionId === room.sessionId));
    this.cleanups.push(
      room.onMessage(ServerMessage.Kill, (event: KillEvent) => {
        this.hud.addKill(event, room.sessionId, colorOf);
        if (event.victimId === room.sessionId) {
          this.killedBy = event.killerName;
          this.respawnInMs = event.respawnInMs;
        }
      }),
      room.onMessage(ServerMessage.Chat, (message: ChatBroadcast) =>
        this.chat.addChat(message, colorOf(message.fromId)),
      ),
      room.onMessage(ServerMessage.Notice, (notice: Notice) => this.chat.addNotice(notice.message)),
      room.onMessage(ServerMessage.Hit, (payload: unknown) => this.onHit(payload)),
      room.onMessage(ServerMessage.LeaderboardSaved, () => this.scoreboard.boardUpdated()),
      room.onMessage(ServerMessage.RoundOver, (event: RoundOverEvent) => {
        this.lastRoundOver = event;
        this.projectiles.clear();
        this.net.shots.clear();
        this.chat.addSystem(`Round ${event.round} over. Winner: ${event.rows[0]?.name ?? 'nobody'}.`);
      }),
    );
  }

  /** The server judged one of our shots a hit: the verdict on its prediction, and a hit marker on the victim. */
  private onHit(payload: unknown): void {
    const hit = parseHit(payload);
    if (!hit.ok) {
      log.warn('ignored an invalid hit message', { error: hit.error });
      return;
    }
    this.net.shots.serverHit(hit.value.projectileId, hit.value.victimId);
    const victim = this.entries.get(hit.value.victimId);
    if (!victim) return;
    const at = this.net.position(hit.value.victimId, victim.state, this.scratch);
    this.projectiles.hitMarker(at.x, at.y, performance.now());
  }

  private wireConnection(): void {
    const room = this.room;
    this.cleanups.push(
      watchRoom(this.connection.client, room, {
        dropped: () => {
          this.controls.releaseAll();
          this.reconnect.show();
        },
        reconnected: () => {
          this.reconnect.hide();
          this.chat.addSystem('Reconnected.');
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
        paused: () => this.reconnect.visible,
        onRtt: (ms) => {
          this.pingMs = ms;
        },
      }),
    );
  }

  private updateHud(now: number): void {
    const state = this.room.state;
    const round = state.round;
    const view: MatchView = {
      joinedAs: this.name,
      spectating: this.spectator !== null,
      me: this.net.me,
      localAlive: this.net.localAlive,
      round,
      players: state.players?.size ?? 0,
      roomId: this.room.roomId,
      pingMs: this.pingMs,
      rttMs: this.net.rttMs,
    };
    this.hud.update(hudModel(view));

    const overlay = overlayFor(view);
    if (overlay === 'scoreboard') {
      this.death.hide();
      const rows = this.lastRoundOver?.rows ?? this.liveScores();
      this.scoreboard.show(round?.number ?? 1, rows, this.room.sessionId, round?.secondsLeft ?? 0);
    } else {
      this.scoreboard.hide();
      if (overlay === 'death') {
        if (!this.death.visible) this.death.show(this.killedBy, now + this.respawnInMs);
        this.death.update(now);
      } else if (this.death.visible) {
        this.death.hide();
        this.killedBy = null;
      }
    }
  }

  /** Scores straight from the state, for a player who joined during the scoreboard. */
  private liveScores(): ScoreRow[] {
    return scoreboardRows(this.room.state.players ?? []);
  }

  private installProbe(): void {
    setGameProbe({
      sessionId: () => this.room.sessionId,
      roomId: () => this.room.roomId,
      spectating: () => this.spectator !== null,
      following: () => this.spectator?.followingId ?? null,
      renderedPlayers: (): RenderedPlayer[] =>
        [...this.entries.values()].map(({ view }) => ({
          id: view.sessionId,
          name: view.name,
          x: view.container.x,
          y: view.container.y,
          hp: view.health,
          alive: view.isAlive,
          local: view.isLocal,
        })),
      worldToPage: (x, y) =>
        worldToPage(
          this.cameras.main,
          this.game.canvas.getBoundingClientRect(),
          this.scale.width,
          this.scale.height,
          x,
          y,
        ),
      projectiles: () => this.projectiles.visibleCount + this.net.shots.flying().length,
      netStats: () => ({
        sent: this.net.input.sentCount,
        acked: this.net.input.lastProcessed,
        rttMs: this.net.rttMs,
        interpDelayMs: this.net.interpDelayMs,
        jitterMs: this.net.delay.jitterMs,
        inputRateScale: this.net.inputClock.rateScale,
        corrections: this.net.corrections,
        shots: this.net.shots.summary(),
      }),
    });
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
    this.chat.addSystem('You stepped in. Good luck!');
  }

  private teardown(): void {
    setGameProbe(null);
    this.spectator?.dispose();
    this.spectator = null;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.net.dispose();
    this.controls.dispose();
    this.projectiles.destroy();
    for (const { view } of this.entries.values()) view.destroy();
    this.entries.clear();
    if (!this.leaving) void this.room.leave().catch(() => undefined);
  }
}
