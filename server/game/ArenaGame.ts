/**
 * Over 300 lines on purpose: the match rules are one state machine (join,
 * step, shots, deaths, respawns, round clock, snapshot), read best in one
 * place; the pure parts already live in shared/.
 *
 * The arena's match rules on top of the shared simulation: who is in, who
 * shot whom, respawns and the round clock. It owns the replicated state but
 * knows nothing of sockets or the Colyseus room; the room feeds it inputs and
 * forwards its events. Time is counted in ticks, never read from a clock.
 */
import { FIRE_COOLDOWN_MS, PLAYER_MAX_HP, PROJECTILE_DAMAGE_HP, SCORE_PER_KILL } from '../../shared/constants.ts';
import type { InputFrame } from '../../shared/input.ts';
import { BoxGrid, sweptBox } from '../../shared/broadphase.ts';
import type { ArenaMap, Point } from '../../shared/map.ts';
import type { HitEvent, KillEvent, RoundOverEvent, ScoreRow } from '../../shared/messages.ts';
import {
  applyInput,
  fireProjectile,
  pickSpawnPoint,
  traceProjectile,
  type HitTarget,
  type ProjectileBody,
} from '../../shared/sim.ts';
import { ArenaState, Player, Projectile, RoundPhase } from '../../shared/state.ts';
import { SNAPSHOT_VERSION, type GameSnapshot } from './snapshot.ts';
import { scoreboardRows } from '../../shared/scoreboard.ts';

/** Match timing, all in milliseconds except the tick rate. */
export interface GameRules {
  tickRateHz: number;
  roundDurationMs: number;
  scoreboardDurationMs: number;
  respawnDelayMs: number;
}

/** What the game needs from the room each tick; implemented over Colyseus inputs and rewind. */
export interface TickSource {
  /** Consume the next buffered input of a player, or undefined when none is due. */
  nextInput(sessionId: string): InputFrame | undefined;
  /** How far in the past (ms) the player saw the world when it sent the input just consumed. */
  viewLagMs(sessionId: string): number;
  /**
   * Where `player` was `lagMs` ago, as the lag-compensation history recorded
   * it. The game reads the point at once, so a source may reuse one object.
   */
  positionAgo(player: Player, lagMs: number): Point;
  /**
   * A box (world px) holding every point {@link positionAgo} can return for
   * `player` this tick, written to `out`. With it, projectiles test only the
   * players whose box their path's box meets; without it, every player.
   */
  boundsOf?(player: Player, out: Box): Box;
}

/** Axis-aligned box in world pixels. */
export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** What the game tells the outside world; the room turns these into broadcasts. */
export interface GameEvents {
  kill(event: KillEvent): void;
  roundOver(event: RoundOverEvent): void;
  roundStarted(round: number): void;
  /** A projectile of `shooterId` hit (told to the shooter only: its hit marker). */
  hit?(shooterId: string, event: HitEvent): void;
}

interface ServerProjectile {
  id: string;
  ownerId: string;
  body: ProjectileBody;
  /** The shooter's view lag when firing: hits are judged against positions this long ago. */
  lagMs: number;
}

interface PlayerTicks {
  /**
   * The player's own inputs still to go before it may fire again. Counted in
   * inputs rather than ticks, so a client predicting its shots (one per
   * cooldown of its own inputs) agrees with the server even when a burst of
   * inputs delayed on the network is consumed in one tick.
   */
  fireCooldownInputs: number;
  respawnTick: number;
  /** Inputs this player may still consume; refilled by one per tick, so a client cannot move faster by sending more. */
  inputCredit: number;
}

/**
 * How much network stall a player may catch up on at once, in ms of inputs
 * banked: a TCP retransmission (about RTT + 200 ms) holds a client's inputs
 * and then delivers them together; with less credit the excess would stay
 * queued for good, adding its length to every later input's latency.
 */
export const STALL_CATCHUP_MS = 400;

export class ArenaGame {
  readonly state = new ArenaState();
  private readonly projectiles = new Map<string, ServerProjectile>();
  private readonly ticks = new Map<string, PlayerTicks>();
  /** Leaderboard identities of the players who gave one; not in the state: nobody else may learn them. */
  private readonly identities = new Map<string, string>();
  /**
   * The match's id for the leaderboard: the room sets it to its own id, a
   * restored match keeps the one it began with, so a round has one key on every instance.
   */
  matchId = '';
  private nextProjectileId = 1;
  private spawnSalt = 0;
  private phaseTicksLeft: number;
  private readonly dtSeconds: number;
  /** Inputs a player may bank (one per tick without input) to catch up after a network stall. */
  private readonly maxInputCredit: number;
  /** Broad phase and scratch for the projectile step, reused every tick (nothing allocated per hit test). */
  private readonly grid: BoxGrid;
  private readonly living: { ids: string[]; players: Player[] } = { ids: [], players: [] };
  private readonly candidates: number[] = [];
  private readonly targets: HitTarget[] = [];
  private readonly targetPool: { id: string; x: number; y: number }[] = [];
  private readonly box: Box = { minX: 0, minY: 0, maxX: 0, maxY: 0 };

  constructor(
    readonly map: ArenaMap,
    private readonly rules: GameRules,
    private readonly events: GameEvents,
  ) {
    this.dtSeconds = 1 / rules.tickRateHz;
    this.maxInputCredit = Math.max(4, this.msToTicks(STALL_CATCHUP_MS));
    this.grid = new BoxGrid(map.widthPx, map.heightPx);
    this.state.mapId = map.id;
    this.state.round.number = 1;
    this.state.round.phase = RoundPhase.Playing;
    this.phaseTicksLeft = this.msToTicks(rules.roundDurationMs);
    this.updateSecondsLeft();
  }

  /** Ticks per phase and timers, rounded up so a timer never ends early. */
  msToTicks(ms: number): number {
    return Math.ceil((ms * this.rules.tickRateHz) / 1000);
  }

  /** Milliseconds until the current phase ends. */
  get phaseMsLeft(): number {
    return (this.phaseTicksLeft * 1000) / this.rules.tickRateHz;
  }

  /** Add a player; `identity` (validated by the caller) puts its results on the leaderboard. */
  addPlayer(sessionId: string, name: string, identity?: string): Player {
    const player = new Player();
    player.name = name;
    player.hp = PLAYER_MAX_HP;
    this.placeAtSpawn(player);
    player.alive = this.state.round.phase === RoundPhase.Playing;
    this.state.players.set(sessionId, player);
    this.ticks.set(sessionId, { fireCooldownInputs: 0, respawnTick: -1, inputCredit: 2 });
    if (identity !== undefined) this.identities.set(sessionId, identity);
    return player;
  }

  removePlayer(sessionId: string): void {
    this.state.players.delete(sessionId);
    this.ticks.delete(sessionId);
    this.identities.delete(sessionId);
    for (const [id, p] of this.projectiles) {
      if (p.ownerId === sessionId) this.removeProjectile(id);
    }
  }

  /** A player's leaderboard identity, when it gave one. */
  identityOf(sessionId: string): string | undefined {
    return this.identities.get(sessionId);
  }

  /** The match as plain data, for a hand-off to another instance (see {@link restore}). */
  snapshot(): GameSnapshot {
    const tick = this.state.tick;
    const players = [...this.state.players].map(([sessionId, p]) => {
      const t = this.ticks.get(sessionId)!;
      const identity = this.identities.get(sessionId);
      return {
        sessionId,
        ...(identity === undefined ? {} : { identity }),
        name: p.name,
        x: p.x,
        y: p.y,
        aimRad: p.aimRad,
        hp: p.hp,
        alive: p.alive,
        kills: p.kills,
        deaths: p.deaths,
        score: p.score,
        respawnInTicks: t.respawnTick < 0 ? -1 : Math.max(0, t.respawnTick - tick),
        fireReadyInTicks: t.fireCooldownInputs,
      };
    });
    return {
      version: SNAPSHOT_VERSION,
      ...(this.matchId === '' ? {} : { matchId: this.matchId }),
      mapId: this.state.mapId,
      tickRateHz: this.rules.tickRateHz,
      tick,
      round: { number: this.state.round.number, phase: this.state.round.phase as RoundPhase },
      phaseTicksLeft: this.phaseTicksLeft,
      spawnSalt: this.spawnSalt,
      players,
    };
  }

  /**
   * Continue a match from a {@link snapshot} taken on another instance:
   * players keep their session ids, position, health and score, and the round
   * clock resumes where it stopped. Call on a fresh game, before any step.
   */
  restore(snapshot: GameSnapshot): void {
    if (snapshot.mapId !== this.map.id)
      throw new Error(`snapshot is of map "${snapshot.mapId}", this room plays "${this.map.id}"`);
    const ticks = (n: number): number => Math.ceil((n * this.rules.tickRateHz) / snapshot.tickRateHz);
    const tick = snapshot.tick;
    this.state.tick = tick;
    this.state.round.number = snapshot.round.number;
    this.state.round.phase = snapshot.round.phase;
    this.phaseTicksLeft = Math.max(1, ticks(snapshot.phaseTicksLeft));
    this.spawnSalt = snapshot.spawnSalt;
    if (snapshot.matchId !== undefined) this.matchId = snapshot.matchId;
    for (const s of snapshot.players) {
      const player = new Player();
      player.name = s.name;
      player.x = s.x;
      player.y = s.y;
      player.aimRad = s.aimRad;
      player.hp = s.hp;
      player.alive = s.alive;
      player.kills = s.kills;
      player.deaths = s.deaths;
      player.score = s.score;
      this.state.players.set(s.sessionId, player);
      this.ticks.set(s.sessionId, {
        fireCooldownInputs: ticks(s.fireReadyInTicks),
        respawnTick: s.respawnInTicks < 0 ? -1 : tick + ticks(s.respawnInTicks),
        inputCredit: 2,
      });
      if (s.identity !== undefined) this.identities.set(s.sessionId, s.identity);
    }
    this.updateSecondsLeft();
  }

  /** Advance the match by one fixed tick. */
  step(source: TickSource): void {
    const tick = ++this.state.tick;
    const playing = this.state.round.phase === RoundPhase.Playing;

    for (const [sid, player] of this.state.players) {
      const t = this.ticks.get(sid)!;
      t.inputCredit = Math.min(t.inputCredit + 1, this.maxInputCredit);
      while (t.inputCredit >= 1) {
        const input = source.nextInput(sid);
        if (!input) break;
        t.inputCredit -= 1;
        applyInput(player, input, this.map, this.dtSeconds);
        player.aimRad = input.aimRad;
        if (t.fireCooldownInputs > 0) t.fireCooldownInputs -= 1;
        if (playing && input.fire && player.alive && t.fireCooldownInputs === 0) {
          if (this.spawnProjectile(sid, player, input.aimRad, source.viewLagMs(sid), tick)) {
            t.fireCooldownInputs = this.msToTicks(FIRE_COOLDOWN_MS);
          }
        }
      }
      if (playing && !player.alive && t.respawnTick >= 0 && tick >= t.respawnTick) this.respawn(player, t);
    }

    if (playing) this.stepProjectiles(source);
    this.advanceRoundClock();
  }

  /** Fire if the muzzle is clear; a shot blocked by cover costs no cooldown. */
  private spawnProjectile(ownerId: string, shooter: Player, aimRad: number, lagMs: number, tick: number): boolean {
    const body = fireProjectile(this.map, shooter, aimRad);
    if (!body) return false;
    const id = (this.nextProjectileId++).toString(36);
    this.projectiles.set(id, { id, ownerId, body, lagMs });
    const view = new Projectile();
    view.ownerId = ownerId;
    view.x = body.x;
    view.y = body.y;
    view.aimRad = aimRad;
    view.firedTick = tick;
    this.state.projectiles.set(id, view);
    return true;
  }

  private removeProjectile(id: string): void {
    this.projectiles.delete(id);
    this.state.projectiles.delete(id);
  }

  /**
   * Every projectile's step against the living players other than its
   * shooter, where the shooter saw them. With a source that bounds its
   * rewinds, the players go into a grid once per tick, each by the box its
   * rewound positions span, and a projectile rewinds and tests only those
   * whose box meets its path's: the same targets in the same order as a walk
   * over every player, so the same hits.
   */
  private stepProjectiles(source: TickSource): void {
    if (this.projectiles.size === 0) return;
    const { ids, players } = this.living;
    const grid = this.grid;
    const box = this.box;
    const bounded = source.boundsOf !== undefined;
    let n = 0;
    grid.clear();
    for (const [sid, player] of this.state.players) {
      if (!player.alive) continue;
      ids[n] = sid;
      players[n] = player;
      if (bounded) {
        source.boundsOf!(player, box);
        grid.insert(n, box.minX, box.minY, box.maxX, box.maxY);
      }
      n++;
    }
    const candidates = this.candidates;
    const targets = this.targets;
    for (const p of this.projectiles.values()) {
      let count = n;
      if (bounded) {
        sweptBox(p.body, this.dtSeconds, box);
        count = grid.query(box.minX, box.minY, box.maxX, box.maxY, candidates);
      }
      targets.length = 0;
      for (let k = 0; k < count; k++) {
        const i = bounded ? candidates[k]! : k;
        const sid = ids[i]!;
        const player = players[i]!;
        // A projectile earlier in this tick may have killed it.
        if (sid === p.ownerId || !player.alive) continue;
        const seen = source.positionAgo(player, p.lagMs);
        let target = this.targetPool[targets.length];
        if (!target) {
          target = { id: '', x: 0, y: 0 };
          this.targetPool.push(target);
        }
        target.id = sid;
        target.x = seen.x;
        target.y = seen.y;
        targets.push(target);
      }
      const result = traceProjectile(p.body, this.map, this.dtSeconds, targets);
      if (result.kind === 'flying') continue;
      this.removeProjectile(p.id);
      if (result.kind === 'hit') this.damage(result.targetId, p.ownerId, p.id);
    }
  }

  private damage(victimId: string, shooterId: string, projectileId: string): void {
    const victim = this.state.players.get(victimId);
    if (!victim?.alive) return;
    victim.hp = Math.max(0, victim.hp - PROJECTILE_DAMAGE_HP);
    this.events.hit?.(shooterId, { projectileId, victimId, victimHp: victim.hp });
    if (victim.hp > 0) return;
    victim.alive = false;
    victim.deaths += 1;
    this.ticks.get(victimId)!.respawnTick = this.state.tick + this.msToTicks(this.rules.respawnDelayMs);
    const killer = this.state.players.get(shooterId);
    if (killer) {
      killer.kills += 1;
      killer.score += SCORE_PER_KILL;
    }
    this.events.kill({
      killerId: shooterId,
      killerName: killer?.name ?? '?',
      victimId,
      victimName: victim.name,
      respawnInMs: this.rules.respawnDelayMs,
    });
  }

  private livingPositions(except?: Player): Point[] {
    const out: Point[] = [];
    for (const p of this.state.players.values()) if (p.alive && p !== except) out.push({ x: p.x, y: p.y });
    return out;
  }

  private placeAtSpawn(player: Player): void {
    const spawn = pickSpawnPoint(this.map, this.livingPositions(player), this.spawnSalt++);
    player.x = spawn.x;
    player.y = spawn.y;
  }

  private respawn(player: Player, t: PlayerTicks): void {
    this.placeAtSpawn(player);
    player.hp = PLAYER_MAX_HP;
    player.alive = true;
    t.respawnTick = -1;
  }

  private advanceRoundClock(): void {
    this.phaseTicksLeft -= 1;
    if (this.phaseTicksLeft <= 0) {
      if (this.state.round.phase === RoundPhase.Playing) this.endRound();
      else this.startRound();
    }
    this.updateSecondsLeft();
  }

  private updateSecondsLeft(): void {
    const seconds = Math.ceil(this.phaseTicksLeft / this.rules.tickRateHz);
    if (this.state.round.secondsLeft !== seconds) this.state.round.secondsLeft = seconds;
  }

  /** The scoreboard, best first: score, then fewer deaths, then name. */
  scoreboard(): ScoreRow[] {
    return scoreboardRows(this.state.players);
  }

  private endRound(): void {
    this.state.round.phase = RoundPhase.Scoreboard;
    this.phaseTicksLeft = this.msToTicks(this.rules.scoreboardDurationMs);
    for (const id of [...this.projectiles.keys()]) this.removeProjectile(id);
    for (const p of this.state.players.values()) p.alive = false;
    this.events.roundOver({
      round: this.state.round.number,
      rows: this.scoreboard(),
      nextRoundInMs: this.rules.scoreboardDurationMs,
    });
  }

  private startRound(): void {
    this.state.round.number += 1;
    this.state.round.phase = RoundPhase.Playing;
    this.phaseTicksLeft = this.msToTicks(this.rules.roundDurationMs);
    for (const p of this.state.players.values()) p.alive = false;
    for (const [sid, p] of this.state.players) {
      p.kills = 0;
      p.deaths = 0;
      p.score = 0;
      this.respawn(p, this.ticks.get(sid)!);
    }
    this.events.roundStarted(this.state.round.number);
  }
}
