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

/** Trigger inputs remembered to realign the cooldown: two seconds at 30 Hz. */
const RECENT_INPUTS = 60;
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
  /** Server shots we had not predicted, after which the cooldown was counted again from the input that fired. */
  realigned: number;
  /** Predictions that ended in their first step (a wall or player point-blank): the server's projectile never reached a patch to confirm them. */
  unseen: number;
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
  private counts = { predicted: 0, confirmed: 0, rejected: 0, unseen: 0, realigned: 0 };
  private inputCount = 0;
  /** Our recent trigger inputs: where we were after each, to find which one fired an unpredicted shot. */
  private readonly recent: Array<{ count: number; x: number; y: number; aimRad: number }> = [];

  constructor(private readonly map: ArenaMap) {}

  /**
   * An input just left with the predicted shooter position after it. Returns
   * the predicted shot when the server will fire one for it.
   */
  onInputSent(
    shooter: Point & { alive: boolean },
    fire: boolean,
    aimRad: number,
    playing: boolean,
    nowMs: number,
  ): OwnShot | undefined {
    this.inputsSinceShot += 1;
    this.inputCount += 1;
    if (fire) {
      this.recent.push({ count: this.inputCount, x: shooter.x, y: shooter.y, aimRad });
      if (this.recent.length > RECENT_INPUTS) this.recent.shift();
    }
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
        // Landed in its first step: the server's projectile ended in the step that fired it and
        // never reached a patch, so no confirmation could come. Otherwise the server never made it.
        if (shot.landed && shot.steps <= 1) this.counts.unseen += 1;
        else this.counts.rejected += 1;
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
    this.realign(fired);
    return undefined;
  }

  /**
   * A shot of ours we did not predict (the server had us alive when we
   * thought us dead, or the other way round): find the input that fired it
   * and count the cooldown from there, as the server does, so the next
   * predictions fire on the same inputs as the server's shots again.
   */
  private realign(fired: Point & { aimRad: number }): void {
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const r = this.recent[i]!;
      const aimOff = Math.abs(Math.atan2(Math.sin(fired.aimRad - r.aimRad), Math.cos(fired.aimRad - r.aimRad)));
      if (aimOff > MATCH_RAD) continue;
      const muzzle = fireProjectile(this.map, r, r.aimRad);
      if (!muzzle || Math.hypot(muzzle.x - fired.x, muzzle.y - fired.y) > MATCH_PX) continue;
      this.inputsSinceShot = this.inputCount - r.count + 1;
      this.counts.realigned += 1;
      return;
    }
  }

  /**
   * The server says projectile `serverId` hit `victimId`. A projectile that
   * hit in the step that fired it never appears in a patch: its hit goes to
   * the oldest unconfirmed prediction that hit the same player on our screen.
   */
  serverHit(serverId: string, victimId: string): OwnShot | undefined {
    let shot = this.find(serverId);
    if (!shot) {
      shot = this.live.find((s) => s.serverId === undefined && s.hitOnScreen === victimId && s.steps <= 2);
      if (!shot) return undefined;
      shot.serverId = serverId;
      this.counts.confirmed += 1;
    }
    shot.verdict = 'hit';
    shot.hitOnServer = victimId;
    return shot;
  }

  /** The server removed projectile `serverId`: without a `hit` before it, a miss. Its flight is over on our screen too. */
  serverRemoved(serverId: string): OwnShot | undefined {
    const shot = this.find(serverId);
    if (!shot) return undefined;
    if (shot.verdict === undefined) shot.verdict = 'miss';
    shot.landed = true;
    return shot;
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
