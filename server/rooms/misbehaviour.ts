/**
 * How much nonsense a client may send before it is cut off. Honest clients
 * never send unknown message types or malformed chat; a few strikes are
 * allowed (a client a version behind, a typo'd message name in a mod) before
 * the connection goes, and strikes age out so a long session is not punished
 * for old mistakes.
 */

/** Strikes within {@link STRIKE_WINDOW_MS} that get a client disconnected. */
export const MAX_STRIKES = 8;
/** How long a strike counts, in milliseconds. */
export const STRIKE_WINDOW_MS = 10_000;

/** Per-client strike times, oldest first; plain data, clock passed in. */
export class StrikeCounter {
  private readonly strikes = new Map<string, number[]>();

  /**
   * Record a strike for `sessionId` at `nowMs`.
   * @returns true when the client has now run out of strikes
   */
  hit(sessionId: string, nowMs: number): boolean {
    const times = (this.strikes.get(sessionId) ?? []).filter((t) => nowMs - t < STRIKE_WINDOW_MS);
    times.push(nowMs);
    this.strikes.set(sessionId, times);
    return times.length >= MAX_STRIKES;
  }

  forget(sessionId: string): void {
    this.strikes.delete(sessionId);
  }
}
