/**
 * Projectiles in flight. The server sends each one once (muzzle position,
 * aim, fired tick) and removes it when it lands; its straight flight in
 * between is drawn here, advanced with the shared `stepProjectile` so a shot
 * stops at the same walls the server stops it at.
 *
 * Timeline: a shot is placed at its age on arrival (the server ticks since it
 * was fired) and flies on from there. Shots by other players are drawn
 * `delayMs` later, on the same delayed timeline their shooter is drawn on, so
 * they leave the muzzle where the shooter is seen; they then linger the same
 * delay after the server removes them, to reach the point where they landed.
 */
import type Phaser from 'phaser';
import { PROJECTILE_LIFETIME_MS, PROJECTILE_RADIUS_PX, PROJECTILE_SPEED_PX_PER_S } from '../../shared/constants.ts';
import type { ArenaMap } from '../../shared/map.ts';
import { stepProjectile, type ProjectileBody } from '../../shared/sim.ts';
import type { OwnShot } from '../net/predictedShots.ts';
import { COLORS } from './palette.ts';

const TRAIL_PX = 22;
/** How long a hit marker shows, ms. */
const HIT_MARKER_MS = 250;

interface Flight {
  body: ProjectileBody;
  dirX: number;
  dirY: number;
  color: number;
  arrivedAt: number;
  /** Age (ms) the shot already had on the server when it arrived. */
  ageOnArrivalMs: number;
  delayMs: number;
  /** How far (ms of flight) `body` has been advanced. */
  simulatedMs: number;
  /** Local flight ended at a wall or by lifetime; hidden, waiting for the server's removal. */
  landed: boolean;
  removedAt: number | null;
}

/** What a new shot needs: the replicated fields plus who fired it. */
export interface ShotSpawn {
  x: number;
  y: number;
  aimRad: number;
  color: number;
  ageOnArrivalMs: number;
  delayMs: number;
}

/** Every shot in flight, drawn into one Graphics object that is redrawn each frame. */
export class ProjectileLayer {
  private readonly flights = new Map<string, Flight>();
  private readonly markers: Array<{ x: number; y: number; at: number }> = [];
  private readonly gfx: Phaser.GameObjects.Graphics;

  constructor(
    scene: Phaser.Scene,
    private readonly map: ArenaMap,
  ) {
    this.gfx = scene.add.graphics().setDepth(20);
  }

  /** Number of server shots currently drawn (our predicted ones are counted by their owner). */
  get visibleCount(): number {
    let n = 0;
    for (const f of this.flights.values()) if (this.isVisible(f, performance.now())) n++;
    return n;
  }

  add(id: string, shot: ShotSpawn, now: number): void {
    const dirX = Math.cos(shot.aimRad);
    const dirY = Math.sin(shot.aimRad);
    this.flights.set(id, {
      body: {
        x: shot.x,
        y: shot.y,
        vxPxPerS: dirX * PROJECTILE_SPEED_PX_PER_S,
        vyPxPerS: dirY * PROJECTILE_SPEED_PX_PER_S,
        lifeMs: PROJECTILE_LIFETIME_MS,
      },
      dirX,
      dirY,
      color: shot.color,
      arrivedAt: now,
      ageOnArrivalMs: Math.max(0, shot.ageOnArrivalMs),
      delayMs: Math.max(0, shot.delayMs),
      simulatedMs: 0,
      landed: false,
      removedAt: null,
    });
  }

  /** The server removed the shot (it hit a player or a wall, or expired). */
  remove(id: string, now: number): void {
    const f = this.flights.get(id);
    if (f && f.removedAt === null) f.removedAt = now;
  }

  /** Forget every shot (round over, leaving). */
  clear(): void {
    this.flights.clear();
    this.gfx.clear();
  }

  /** Show a hit marker at a world point (the server confirmed one of our hits there). */
  hitMarker(x: number, y: number, now: number): void {
    this.markers.push({ x, y, at: now });
  }

  /**
   * Advance every flight to `now` and redraw, with our own predicted shots
   * (`own`, drawn from the muzzle at once and stopped where their flight
   * landed on our screen).
   */
  update(now: number, own: readonly OwnShot[] = []): void {
    const g = this.gfx;
    g.clear();
    for (const shot of own) {
      const landedPx = Math.hypot(shot.body.x - shot.muzzle.x, shot.body.y - shot.muzzle.y);
      const flownPx = Math.min(landedPx, ((now - shot.firedAtMs) / 1000) * PROJECTILE_SPEED_PX_PER_S);
      this.drawShot(
        shot.muzzle.x + shot.dirX * flownPx,
        shot.muzzle.y + shot.dirY * flownPx,
        shot.dirX,
        shot.dirY,
        flownPx,
        COLORS.local,
      );
    }
    while (this.markers.length > 0 && now - this.markers[0]!.at > HIT_MARKER_MS) this.markers.shift();
    for (const m of this.markers) {
      const alpha = 1 - (now - m.at) / HIT_MARKER_MS;
      g.lineStyle(3, 0xffffff, alpha);
      g.lineBetween(m.x - 10, m.y - 10, m.x - 4, m.y - 4).lineBetween(m.x + 10, m.y - 10, m.x + 4, m.y - 4);
      g.lineBetween(m.x - 10, m.y + 10, m.x - 4, m.y + 4).lineBetween(m.x + 10, m.y + 10, m.x + 4, m.y + 4);
    }
    for (const [id, f] of this.flights) {
      if (f.removedAt !== null && (f.landed || now - f.removedAt >= f.delayMs)) {
        this.flights.delete(id);
        continue;
      }
      const age = this.ageAt(f, now);
      if (!f.landed && age > f.simulatedMs) {
        const outcome = stepProjectile(f.body, this.map, (age - f.simulatedMs) / 1000);
        f.simulatedMs = age;
        if (outcome !== 'flying') f.landed = true;
      }
      if (!this.isVisible(f, now)) continue;
      this.drawShot(f.body.x, f.body.y, f.dirX, f.dirY, (f.simulatedMs / 1000) * PROJECTILE_SPEED_PX_PER_S, f.color);
    }
  }

  private drawShot(x: number, y: number, dirX: number, dirY: number, flownPx: number, color: number): void {
    const g = this.gfx;
    const trail = Math.min(TRAIL_PX, flownPx);
    g.lineStyle(3, color, 0.45).lineBetween(x - dirX * trail, y - dirY * trail, x, y);
    g.fillStyle(color, 0.35).fillCircle(x, y, PROJECTILE_RADIUS_PX + 3);
    g.fillStyle(0xffffff, 1).fillCircle(x, y, PROJECTILE_RADIUS_PX);
  }

  destroy(): void {
    this.flights.clear();
    this.gfx.destroy();
  }

  private ageAt(f: Flight, now: number): number {
    return now - f.arrivedAt + f.ageOnArrivalMs - f.delayMs;
  }

  private isVisible(f: Flight, now: number): boolean {
    return !f.landed && this.ageAt(f, now) >= 0;
  }
}
