/**
 * An instrumented player for the feel harness: a real SDK client running the
 * browser's own netcode (`client/net/prediction.ts`: prediction, input
 * pacing, adaptive interpolation, predicted shots), driven like a restless
 * player who strafes, walks into walls and shoots at whoever its screen shows.
 * It measures what that player would feel; the harness reads the figures.
 */
import { performance } from 'node:perf_hooks';
import { Callbacks, Client } from '@colyseus/sdk';
import type { ArenaRoom } from '../../client/net/connection.ts';
import { confirmWithinMs } from '../../client/net/predictedShots.ts';
import { Netcode } from '../../client/net/prediction.ts';
import type { InputFrame } from '../../shared/input.ts';
import { ServerMessage, parseHit, type KillEvent } from '../../shared/messages.ts';
import type { HitTarget } from '../../shared/sim.ts';
import type { ArenaState, Player } from '../../shared/state.ts';

/** Inputs a probe's marker aim is held, so it survives a step that consumes two. */
const PROBE_HOLD_INPUTS = 3;
/** A probe not seen within this long is counted lost. */
const PROBE_TIMEOUT_MS = 3000;

/** One marked input, timed until every other client sees it. */
export interface Probe {
  ownerId: string;
  aimRad: number;
  sentAtMs: number;
  seenBy: Set<string>;
}

/** Probes in flight, shared by the clients of one run. */
export class ProbeBoard {
  readonly open: Probe[] = [];
  /** Clients that look for probes (a browser player in the room does not). */
  observers = 0;
  readonly latenciesMs: number[] = [];
  lost = 0;

  expire(nowMs: number): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      if (nowMs - this.open[i]!.sentAtMs > PROBE_TIMEOUT_MS) {
        this.lost += 1;
        this.open.splice(i, 1);
      }
    }
  }
}

/** Server time now (ms, the room clock's units), read from the in-process room. */
export type ServerNow = () => number;

export class FeelClient {
  readonly net: Netcode;
  /** Frames × remote players: how far (ms) the drawn remote pose is behind the server. */
  readonly behindMs: number[] = [];
  readonly joinedAtMs = performance.now();
  /** Frames from sampling a new direction to our own drawn player moving that way (0: the same frame). */
  readonly ownFrames: number[] = [];
  /** Shots that hit on our screen but whose target the server already had dead. */
  missesOnDeadTarget = 0;
  deaths = 0;
  private frameCount = 0;
  private turn: { frame: number; x: number; y: number; dx: number; dy: number } | undefined;
  private move = { x: 0, y: 0 };
  private segmentLeft = 0;
  private probeLeft = 0;
  private probeAim = 0;
  private lastAim = 0;
  private readonly targets: HitTarget[] = [];
  private lastDrawn = { x: 0, y: 0 };

  private constructor(
    readonly room: ArenaRoom,
    private readonly board: ProbeBoard,
    private readonly serverNow: ServerNow,
    private readonly random: () => number,
  ) {
    this.net = new Netcode(room);
    const callbacks = Callbacks.get(room);
    callbacks.onAdd('players', (player: Player, id: string) => {
      if (id === room.sessionId) this.net.bindLocal(player);
    });
    callbacks.onAdd('projectiles', (shot, id: string) => {
      if (shot.ownerId === room.sessionId) this.net.shots.confirm(id, shot);
    });
    callbacks.onRemove('projectiles', (_shot, id: string) => {
      const shot = this.net.shots.serverRemoved(id);
      // A hit on our screen the server called a miss: was the target already dead there (shot by someone else first)?
      if (
        shot?.verdict === 'miss' &&
        shot.hitOnScreen !== undefined &&
        room.state.players?.get(shot.hitOnScreen)?.alive === false
      )
        this.missesOnDeadTarget += 1;
    });
    room.onMessage(ServerMessage.Kill, (event: KillEvent) => {
      if (event.victimId === room.sessionId) this.deaths += 1;
    });
    room.onMessage(ServerMessage.Hit, (payload: unknown) => {
      const hit = parseHit(payload);
      if (hit.ok) this.net.shots.serverHit(hit.value.projectileId, hit.value.victimId);
    });
    room.onMessage('*', () => {});
    room.onStateChange(() => this.lookForProbes());
  }

  static async join(
    url: string,
    name: string,
    board: ProbeBoard,
    serverNow: ServerNow,
    random: () => number,
    roomId?: string,
  ): Promise<FeelClient> {
    const client = new Client(url);
    const room = roomId
      ? await client.joinById<ArenaState>(roomId, { name })
      : await client.create<ArenaState>('arena', { name });
    return new FeelClient(room, board, serverNow, random);
  }

  /** One render frame at `nowMs`: send the inputs due, fly our shots, measure what is drawn. */
  frame(nowMs: number): void {
    this.frameCount += 1;
    this.net.frame(nowMs, () => this.decide(nowMs));
    const players = this.room.state.players;
    if (!players) return;
    this.timeOwnResponse();
    this.targets.length = 0;
    const trueNow = this.serverNow();
    for (const [id, p] of players) {
      if (id === this.room.sessionId) continue;
      const pos = this.net.position(id, p);
      if (p.alive) this.targets.push({ id, x: pos.x, y: pos.y });
      const shown = this.net.remoteShownAt(id);
      if (shown !== undefined) this.behindMs.push(trueNow - shown);
    }
    const me = this.net.me;
    if (me) {
      const from = this.net.position(this.room.sessionId, me);
      this.lastDrawn = { x: from.x, y: from.y };
      let nearest = Infinity;
      for (const t of this.targets) {
        const d = Math.hypot(t.x - from.x, t.y - from.y);
        if (d < nearest) {
          nearest = d;
          this.lastAim = Math.atan2(t.y - from.y, t.x - from.x);
        }
      }
    }
    this.net.shots.advance(nowMs, this.targets, confirmWithinMs(this.net.rttMs));
    this.board.expire(nowMs);
  }

  /** Has our drawn player started moving the way we turned? (Walls can stop it: give up after 10 frames.) */
  private timeOwnResponse(): void {
    const turn = this.turn;
    const me = this.net.me;
    if (!turn || !me) return;
    const at = this.net.position(this.room.sessionId, me);
    const moved = (at.x - turn.x) * turn.dx + (at.y - turn.y) * turn.dy;
    if (moved > 0.5) {
      this.ownFrames.push(this.frameCount - turn.frame);
      this.turn = undefined;
    } else if (this.frameCount - turn.frame > 10) this.turn = undefined;
  }

  /** Strafe, walk into walls, aim at the nearest player drawn, keep the trigger down; now and then mark an input. */
  private decide(nowMs: number): InputFrame {
    if (this.segmentLeft <= 0) {
      const r = this.random();
      // Mostly strafing left/right, sometimes a long walk in one direction (into whatever wall is there).
      if (r < 0.6) this.move = { x: this.move.x === 1 ? -1 : 1, y: 0 };
      else this.move = { x: Math.round(this.random() * 2 - 1), y: Math.round(this.random() * 2 - 1) };
      this.segmentLeft = 10 + Math.floor(this.random() * 40);
      const me = this.net.me;
      if (me && this.turn === undefined && (this.move.x !== 0 || this.move.y !== 0)) {
        // Where we were drawn last frame; the new direction is sampled now, in this frame.
        const len = Math.hypot(this.move.x, this.move.y);
        this.turn = {
          frame: this.frameCount,
          x: this.lastDrawn.x,
          y: this.lastDrawn.y,
          dx: this.move.x / len,
          dy: this.move.y / len,
        };
      }
    }
    this.segmentLeft -= 1;
    // Aim where the last frame drew the nearest player (read after that frame's sends, as the browser does).
    const aim = this.lastAim;
    if (this.probeLeft > 0) {
      this.probeLeft -= 1;
      return { moveX: this.move.x, moveY: this.move.y, aimRad: this.probeAim, fire: false };
    }
    if (this.random() < 1 / 30) {
      this.probeAim = Math.atan2(Math.sin(aim + Math.PI), Math.cos(aim + Math.PI));
      this.probeLeft = PROBE_HOLD_INPUTS - 1;
      this.board.open.push({ ownerId: this.room.sessionId, aimRad: this.probeAim, sentAtMs: nowMs, seenBy: new Set() });
      return { moveX: this.move.x, moveY: this.move.y, aimRad: this.probeAim, fire: false };
    }
    return { moveX: this.move.x, moveY: this.move.y, aimRad: aim, fire: this.targets.length > 0 };
  }

  /** A patch arrived: does it show another client's marked input? */
  private lookForProbes(): void {
    const players = this.room.state.players;
    if (!players) return;
    const now = performance.now();
    const me = this.room.sessionId;
    const others = this.board.observers - 1;
    for (let i = this.board.open.length - 1; i >= 0; i--) {
      const probe = this.board.open[i]!;
      if (probe.ownerId === me || probe.seenBy.has(me)) continue;
      const aim = players.get(probe.ownerId)?.aimRad;
      if (aim === undefined || Math.abs(Math.atan2(Math.sin(aim - probe.aimRad), Math.cos(aim - probe.aimRad))) > 0.002)
        continue;
      probe.seenBy.add(me);
      this.board.latenciesMs.push(now - probe.sentAtMs);
      if (probe.seenBy.size >= others) this.board.open.splice(i, 1);
    }
  }

  async leave(): Promise<void> {
    this.net.dispose();
    await this.room.leave(true).catch(() => undefined);
  }
}
