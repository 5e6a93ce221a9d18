/**
 * Which seats of an arena room count as taken. Colyseus counts a seat
 * reservation as taken for its whole life, so anyone able to call `joinById`
 * could keep a room "full" (and locked: "room is locked", Quick Play sends
 * newcomers elsewhere) with reservations it never uses, renewed every 15 s.
 *
 * Here a seat is taken by a connected player, a dropped player the room holds
 * for reconnection, and a reservation younger than {@link FRESH_SEAT_MS}
 * (an honest client connects well within it, so a burst of Quick Play joins
 * still spreads over rooms). An older unused reservation stops counting: the
 * room unlocks, and whoever connects first while a seat is free gets it. To
 * keep a room shut, a squatter would have to renew every free seat each
 * {@link FRESH_SEAT_MS}, which the per-address join rate limit forbids.
 */

/** Seconds a seat handed out by matchmaking waits for its client to connect (Colyseus's default is 15). */
export const JOIN_SEAT_HOLD_S = 8;
/** How long an unused reservation counts as a taken seat, in milliseconds. */
export const FRESH_SEAT_MS = 3000;

/**
 * A reservation as Colyseus keeps it (`Room._reservedSeats` values):
 * `[joinOptions, authData, consumed, heldForReconnection]`.
 */
export type ReservedSeat = readonly [unknown, unknown, boolean, boolean];

export class SeatBook {
  /** When each pending fresh reservation was first seen, in ms. */
  private readonly firstSeen = new Map<string, number>();

  /**
   * Seats taken: `connected` clients, plus, of `reserved` (every reservation
   * of the room), those held for a reconnection and the fresh ones first
   * seen less than {@link FRESH_SEAT_MS} before `nowMs`; not counting the
   * reservation of `except` (a client connecting now, asking whether the
   * others left it a seat).
   */
  taken(connected: number, reserved: Readonly<Record<string, ReservedSeat>>, nowMs: number, except?: string): number {
    let taken = connected;
    for (const sessionId of this.firstSeen.keys()) if (!(sessionId in reserved)) this.firstSeen.delete(sessionId);
    for (const [sessionId, seat] of Object.entries(reserved)) {
      if (sessionId === except) continue;
      if (seat[3]) {
        taken += 1;
        continue;
      }
      if (seat[2]) continue; // being consumed: its client is joining and counted in `connected` next
      const seen = this.firstSeen.get(sessionId) ?? nowMs;
      this.firstSeen.set(sessionId, seen);
      if (nowMs - seen < FRESH_SEAT_MS) taken += 1;
    }
    return taken;
  }

  /** True when `sessionId` is a reservation held for a reconnection. */
  static isHeld(reserved: Readonly<Record<string, ReservedSeat>>, sessionId: string): boolean {
    return reserved[sessionId]?.[3] === true;
  }
}
