/**
 * Our own shots, drawn the moment we fire instead of a round trip later.
 *
 * When an input with the trigger held leaves, the shot the server will make
 * of it is predicted with the shared rules (`fireProjectile` from our
 * predicted position, the same cooldown in steps) and flown at once, step by
 * step like the server flies it, against the other players where our screen
 * shows them: a shot that reaches one stops there, a hit on our screen. When
 * the server's projectile arrives it is matched to the prediction (same
 * muzzle and aim, oldest first) and takes it over: one shot drawn, never two.
 * A prediction the server never confirms (it disagreed about the cooldown, or
 * we were already dead) disappears. The server's `hit` message is the verdict
 * on each shot, and the hit feedback. Pure: every time is passed in (ms).
 */
import { FIRE_COOLDOWN_MS, TICK_RATE_HZ } from '../../shared/constants.ts';
import type { ArenaMap, Point } from '../../shared/map.ts';
import { fireProjectile, traceProjectile, type HitTarget, type ProjectileBody } from '../../shared/sim.ts';

const STEP_MS = 1000 / TICK_RATE_HZ;
/** Inputs between two shots: the server's cooldown in steps, rounded up as the server rounds it. */
export const COOLDOWN_STEPS = Math.ceil((FIRE_COOLDOWN_MS * TICK_RATE_HZ) / 1000);
/** A server projectile farther than this from a prediction's muzzle (px), or aimed further off (rad), is another shot. */
const MATCH_PX = 6;
const MATCH_RAD = 0.01;
/**
 * How long a prediction waits for the server's projectile before it is
 * taken for one the server never made (ms): three round trips plus a TCP
 * retransmission each way (a lost segment holds everything behind it).
 */
export function confirmWithinMs(rttMs: number): number {
  return Math.max(1000, 3 * rttMs + 2 * (rttMs + 200));
}

/** Settled shots kept for the agreement figures. */
const HISTORY = 500;

export interface OwnShot {
  /** Local id, `p<n>`, until the server's projectile takes it over. */
  readonly localId: string;
  serverId: string | undefined;
  readonly body: ProjectileBody;
  readonly dirX: number;
  readonly dirY: number;
  readonly aimRad: number;
  /** Where it left the barrel. */
  readonly muzzle: Point;
  readonly firedAtMs: number;
  /** Whole server steps flown so far. */
  steps: number;
  /** Flight over on our screen (wall, lifetime, or a player: see `hitOnScreen`). */
  landed: boolean;
  /** The player this shot hit on our screen, if any. */
  hitOnScreen: string | undefined;
  /** The server's word: it hit (a `hit` message), or it was removed without one. */
  verdict: 'hit' | 'miss' | undefined;
  /** The player the server says it hit. */
  hitOnServer: string | undefined;
}

/** How our predicted shots fared, over the shots kept. */
export interface ShotSummary {
  predicted: number;
  /** Predictions the server confirmed with a projectile of its own. */
  confirmed: number;
  /** Predictions the server never made. */
  rejected: number;
  /** Confirmed, settled shots that hit on our screen. */
  hitsOnScreen: number;
  /** …of which the server judged a hit on the same player. */
  hitsAgreed: number;
  /** Settled shots the server judged hits. */
  serverHits: number;
}

export class PredictedShots {
  private readonly live: OwnShot[] = [];
  private readonly settled: OwnShot[] = [];
  private nextId = 1;
  private inputsSinceShot = COOLDOWN_STEPS;
  private counts = { predicted: 0, confirmed: 0, rejected: 0 };

  constructor(private readonly map: ArenaMap) {}

  /**
   * An input just left with the predicted shooter position after it. Returns
   * the predicted shot when the server will fire one for it.
   */
  onInputSent(shooter: Point & { alive: boolean }, fire: boolean, aimRad: number, playing: boolean, nowMs: number): OwnShot | undefined {
    this.inputsSinceShot += 1;
    if (!fire || !playing || !shooter.alive || this.inputsSinceShot < COOLDOWN_STEPS + 1) return undefined;
    const body = fireProjectile(this.map, shooter, aimRad);
    if (!body) return undefined;
    this.inputsSinceShot = 1;
    const shot: OwnShot = {
      localId: `p${this.nextId++}`,
      serverId: undefined,
      body,
      dirX: Math.cos(aimRad),
      dirY: Math.sin(aimRad),
      aimRad,
      muzzle: { x: body.x, y: body.y },
      firedAtMs: nowMs,
      steps: 0,
      landed: false,
      hitOnScreen: undefined,
      verdict: undefined,
      hitOnServer: undefined,
    };
    this.live.push(shot);
    this.counts.predicted += 1;
    return shot;
  }

  /**
   * Fly every shot to `nowMs` in whole server steps against `targets` (the
   * other players where our screen shows them), and drop predictions the
   * server has not confirmed within `confirmWithinMs`.
   */
  advance(nowMs: number, targets: readonly HitTarget[], confirmWithinMs: number): void {
    for (let i = this.live.length - 1; i >= 0; i--) {
      const shot = this.live[i]!;
      // The server flies a new shot one step in the step that fires it.
      const due = Math.floor((nowMs - shot.firedAtMs) / STEP_MS) + 1;
      while (!shot.landed && shot.steps < due) {
        shot.steps += 1;
        const result = traceProjectile(shot.body, this.map, STEP_MS / 1000, targets);
        if (result.kind === 'hit') shot.hitOnScreen = result.targetId;
        if (result.kind !== 'flying') shot.landed = true;
      }
      if (shot.serverId === undefined && nowMs - shot.firedAtMs > confirmWithinMs) {
        this.live.splice(i, 1);
        this.counts.rejected += 1;
      } else if (shot.serverId !== undefined && shot.verdict !== undefined && shot.landed) {
        this.live.splice(i, 1);
        this.keep(shot);
      }
    }
  }

  /** Our projectile `serverId` arrived; the prediction it continues, if any. */
  confirm(serverId: string, fired: Point & { aimRad: number }): OwnShot | undefined {
    for (const shot of this.live) {
      if (shot.serverId !== undefined) continue;
      const aimOff = Math.abs(Math.atan2(Math.sin(fired.aimRad - shot.aimRad), Math.cos(fired.aimRad - shot.aimRad)));
      if (aimOff > MATCH_RAD || Math.hypot(shot.muzzle.x - fired.x, shot.muzzle.y - fired.y) > MATCH_PX) continue;
      shot.serverId = serverId;
      this.counts.confirmed += 1;
      return shot;
    }
    return undefined;
  }

  /** The server says projectile `serverId` hit `victimId`. */
  serverHit(serverId: string, victimId: string): OwnShot | undefined {
    const shot = this.find(serverId);
    if (!shot) return undefined;
    shot.verdict = 'hit';
    shot.hitOnServer = victimId;
    return shot;
  }

  /** The server removed projectile `serverId`: without a `hit` before it, a miss. Its flight is over on our screen too. */
  serverRemoved(serverId: string): void {
    const shot = this.find(serverId);
    if (!shot) return;
    if (shot.verdict === undefined) shot.verdict = 'miss';
    shot.landed = true;
  }

  /** Shots to draw this frame (still flying on our screen). */
  flying(): readonly OwnShot[] {
    return this.live.filter((s) => !s.landed);
  }

  /** Is `serverId` one of ours that was predicted (and so already drawn)? */
  owns(serverId: string): boolean {
    return this.find(serverId) !== undefined;
  }

  /** Forget every shot in flight (round over, leaving); the figures are kept. */
  clear(): void {
    this.live.length = 0;
  }

  summary(): ShotSummary {
    let hitsOnScreen = 0;
    let hitsAgreed = 0;
    let serverHits = 0;
    for (const s of this.settled) {
      if (s.verdict === 'hit') serverHits += 1;
      if (s.hitOnScreen === undefined) continue;
      hitsOnScreen += 1;
      if (s.verdict === 'hit' && s.hitOnServer === s.hitOnScreen) hitsAgreed += 1;
    }
    return { ...this.counts, hitsOnScreen, hitsAgreed, serverHits };
  }

  private find(serverId: string): OwnShot | undefined {
    return this.live.find((s) => s.serverId === serverId) ?? this.settled.find((s) => s.serverId === serverId);
  }

  private keep(shot: OwnShot): void {
    this.settled.push(shot);
    if (this.settled.length > HISTORY) this.settled.shift();
  }
}
