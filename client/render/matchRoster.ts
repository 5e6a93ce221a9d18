/**
 * The match's game objects, kept in step with the room state through
 * Colyseus's schema callbacks: a view for each player and the shots in
 * flight. Each frame the players are drawn where the netcode says
 * (predicted for us, interpolated for others), and what is drawn is what the
 * spectator camera and the test hook read.
 */
import { Callbacks } from '@colyseus/sdk';
import type Phaser from 'phaser';
import { TICK_RATE_HZ } from '../../shared/constants.ts';
import type { HitEvent } from '../../shared/messages.ts';
import type { HitTarget } from '../../shared/sim.ts';
import type { Player, Projectile } from '../../shared/state.ts';
import type { ArenaRoom } from '../net/connection.ts';
import type { Netcode, Position } from '../net/prediction.ts';
import type { RenderedPlayer } from '../testHook.ts';
import type { WatchedPlayer } from '../ui/spectatorMode.ts';
import { playerColor } from './palette.ts';
import { PlayerView } from './playerView.ts';
import type { ProjectileLayer } from './projectiles.ts';

/** What the roster tells its scene. */
export interface RosterHooks {
  /** Our own player appeared (we joined, or stepped in): `view` is what the camera follows. */
  localJoined(view: PlayerView, player: Player): void;
  /** A line for the chat: someone joined or left. */
  announce(text: string): void;
}

interface Entry {
  state: Player;
  view: PlayerView;
}

export class MatchRoster {
  private readonly entries = new Map<string, Entry>();
  private readonly scratch: Position = { x: 0, y: 0 };
  /** Joins are announced in chat only after the first full state, not for players already there. */
  private announceJoins = false;

  constructor(
    private readonly scene: Phaser.Scene,
    private readonly room: ArenaRoom,
    private readonly net: Netcode,
    private readonly projectiles: ProjectileLayer,
    private readonly hooks: RosterHooks,
  ) {}

  /** Follow the room's players and projectiles; answers what stops following them. */
  listen(): Array<() => void> {
    const callbacks = Callbacks.get(this.room);
    this.room.onStateChange.once(() => {
      this.announceJoins = true;
    });
    return [
      callbacks.onAdd('players', (player, id) => this.addPlayer(player, id)),
      callbacks.onRemove('players', (_player, id) => this.removePlayer(id)),
      callbacks.onAdd('projectiles', (shot, id) => this.addShot(shot, id)),
      callbacks.onRemove('projectiles', (_shot, id) => {
        this.net.shots.serverRemoved(id);
        this.projectiles.remove(id, performance.now());
      }),
    ];
  }

  /**
   * Draw every player for the frame at `now` (ms, `performance.now()`);
   * `aimFrom` answers our aim from where our player is drawn. Answers the
   * other living players where they are drawn: what our shots fly against.
   */
  draw(now: number, aimFrom: (drawnAt: Position) => number): HitTarget[] {
    const targets: HitTarget[] = [];
    for (const [id, { state, view }] of this.entries) {
      const pos = this.net.position(id, state, this.scratch);
      if (!view.isLocal && state.alive) targets.push({ id, x: pos.x, y: pos.y });
      view.setPosition(pos.x, pos.y);
      view.setName(state.name);
      view.setHp(state.hp, now);
      if (view.isLocal) {
        view.setAim(aimFrom(pos));
        view.setAlive(this.net.localAlive);
      } else {
        view.setAim(this.net.aim(id, state));
        view.setAlive(state.alive);
      }
      view.update(now);
    }
    return targets;
  }

  /** The server judged one of our shots a hit: a marker on the victim, where we draw it. */
  hitMarker(hit: HitEvent, now: number): void {
    const victim = this.entries.get(hit.victimId);
    if (!victim) return;
    const at = this.net.position(hit.victimId, victim.state, this.scratch);
    this.projectiles.hitMarker(at.x, at.y, now);
  }

  /** Every player as drawn, for the spectator camera and bar (in a stable order). */
  watched(): WatchedPlayer[] {
    return [...this.entries].map(([id, { view }]) => ({
      id,
      name: view.name,
      x: view.container.x,
      y: view.container.y,
    }));
  }

  /** Every player as drawn, for the test hook. */
  rendered(): RenderedPlayer[] {
    return [...this.entries.values()].map(({ view }) => ({
      id: view.sessionId,
      name: view.name,
      x: view.container.x,
      y: view.container.y,
      hp: view.health,
      alive: view.isAlive,
      local: view.isLocal,
    }));
  }

  destroy(): void {
    for (const { view } of this.entries.values()) view.destroy();
    this.entries.clear();
  }

  private addPlayer(player: Player, id: string): void {
    if (this.entries.has(id)) return;
    const isLocal = id === this.room.sessionId;
    const view = new PlayerView(this.scene, id, player.name, playerColor(id, isLocal), isLocal);
    const pos = this.net.position(id, player, this.scratch);
    view.setPosition(pos.x, pos.y);
    this.entries.set(id, { state: player, view });
    if (isLocal) this.hooks.localJoined(view, player);
    else if (this.announceJoins) this.hooks.announce(`${player.name} joined.`);
  }

  private removePlayer(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    entry.view.destroy();
    if (id !== this.room.sessionId) this.hooks.announce(`${entry.view.name} left.`);
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
}
