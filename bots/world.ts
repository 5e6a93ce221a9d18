/**
 * One decoded view of each room, shared by the bots of this process that are
 * in it. Decoding the full state costs a client CPU on every patch; a load
 * tester with hundreds of bots per core cannot pay that per bot. So the first
 * bot in a room decodes fully (its "eyes"), and the others only count and time
 * their frames, reading positions from the shared view to play. Every bot
 * still receives every byte the server sends it.
 *
 * The view also carries input-to-update probes: a bot marks one input (an aim
 * no bot would pick just then) and the eyes time when that aim shows up in the
 * state, which is what another player would see.
 */
import type { ArenaState } from '../shared/state.ts';
import type { Windowed } from './collector.ts';

/** A marked input waiting to be seen. */
export interface Probe {
  /** The marker aim (radians, as sent). */
  aimRad: number;
  /** `performance.now()` when the input left the bot, ms. */
  sentAtMs: number;
}

/** How long a probe may stay unseen before it counts as lost, ms. */
export const PROBE_TIMEOUT_MS = 2000;
/** Two aims this close (radians) are the same on the wire (16-bit angles are ~0.0001 rad apart). */
const AIM_TOLERANCE_RAD = 5e-4;

/** Smallest difference between two angles, radians, in [0, π]. */
export function angleDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % (Math.PI * 2);
  return d > Math.PI ? Math.PI * 2 - d : d;
}

export class RoomWorld {
  /** Session id of the bot decoding for this room, if any. */
  eyes: string | undefined;
  /** The decoded state, while the eyes are in the room. */
  state: ArenaState | undefined;
  readonly probes = new Map<string, Probe>();

  /**
   * Called by the eyes after each decoded patch: resolve the probes now
   * visible, drop the ones past their timeout.
   * @returns how many probes were lost
   */
  resolveProbes(nowMs: number, latency: Windowed): number {
    const players = this.state?.players;
    let lost = 0;
    for (const [sessionId, probe] of this.probes) {
      const player = players?.get(sessionId);
      if (player && angleDistance(player.aimRad, probe.aimRad) < AIM_TOLERANCE_RAD) {
        latency.record(nowMs - probe.sentAtMs);
        this.probes.delete(sessionId);
      } else if (nowMs - probe.sentAtMs > PROBE_TIMEOUT_MS) {
        lost += 1;
        this.probes.delete(sessionId);
      }
    }
    return lost;
  }
}

/** Room views by room id. */
export class Worlds {
  private readonly rooms = new Map<string, RoomWorld>();

  get(roomId: string): RoomWorld {
    let world = this.rooms.get(roomId);
    if (!world) {
      world = new RoomWorld();
      this.rooms.set(roomId, world);
    }
    return world;
  }

  /** The eyes left: nobody decodes this room any more (its bots fall back to wandering). */
  release(roomId: string, sessionId: string): void {
    const world = this.rooms.get(roomId);
    if (world?.eyes !== sessionId) return;
    world.eyes = undefined;
    world.state = undefined;
    world.probes.clear();
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Ids of every room a bot of this process has been in. */
  roomIds(): string[] {
    return [...this.rooms.keys()];
  }
}
