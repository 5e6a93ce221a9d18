/**
 * How much nonsense a client may send before it is cut off (close code
 * `ArenaCloseCode.Misbehaviour`). Every offence is a strike of some weight;
 * a client whose strikes within {@link STRIKE_WINDOW_MS} add up to
 * {@link MAX_STRIKES} is disconnected. Strikes age out, so a long session is
 * not punished for old mistakes.
 *
 * The weights say how sure we are that the sender is not an honest client of
 * this very build: our client never sends an undecodable frame, so one is
 * enough; an unknown message type could be a client a version behind, so a
 * few are allowed; an out-of-range input gets a small allowance; and a valid
 * chat line that is only over the rate limit costs so little that only a
 * flood far beyond the limit (no human types that fast) ends the connection.
 */

/** Why a client earned a strike (also the `Notice` code it is sent). */
export type Offence =
  /** A frame that is not our protocol: unknown protocol code, undecodable payload or input. */
  | 'bad_frame'
  /** A message type (or a request) this room does not handle. */
  | 'bad_message'
  /** An input with values no controller produces (an axis outside -1..1). */
  | 'bad_input'
  /** A chat payload that fails `parseChat`. */
  | 'chat_invalid'
  /** A valid chat line over the chat rate limit. */
  | 'chat_rate';

/** An offence and what exactly was wrong, for the client's notice and the log. */
export interface Fault {
  offence: Offence;
  detail: string;
}

/** Strike weight within {@link STRIKE_WINDOW_MS} that gets a client disconnected. */
export const MAX_STRIKES = 8;
/** How long a strike counts, in milliseconds. */
export const STRIKE_WINDOW_MS = 10_000;

/** What each offence costs, in strikes. */
export const OFFENCE_WEIGHT: Readonly<Record<Offence, number>> = {
  // The stream cannot be trusted any more: out at once.
  bad_frame: MAX_STRIKES,
  bad_message: 1,
  chat_invalid: 1,
  // 16 in 10 s: about half a second of bad inputs at 30 Hz.
  bad_input: 0.5,
  // 64 refused lines in 10 s, ~13x the chat limit (a burst of 4, then one per 2 s).
  chat_rate: 0.125,
};

/** Per-client strikes (time and weight), oldest first; plain data, clock passed in. */
export class StrikeCounter {
  private readonly strikes = new Map<string, Array<{ atMs: number; weight: number }>>();

  /**
   * Record `offence` for `sessionId` at `nowMs`.
   * @returns true when the client has now run out of strikes
   */
  hit(sessionId: string, offence: Offence, nowMs: number): boolean {
    const recent = (this.strikes.get(sessionId) ?? []).filter((s) => nowMs - s.atMs < STRIKE_WINDOW_MS);
    recent.push({ atMs: nowMs, weight: OFFENCE_WEIGHT[offence] });
    this.strikes.set(sessionId, recent);
    return recent.reduce((sum, s) => sum + s.weight, 0) >= MAX_STRIKES;
  }

  forget(sessionId: string): void {
    this.strikes.delete(sessionId);
  }
}

/** Longest WebSocket close reason, in bytes (RFC 6455: a control frame carries at most 125, two are the code). */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * The close reason sent with `ArenaCloseCode.Misbehaviour`, e.g.
 * `bad_message: unknown message type "teleport"`. Printable ASCII only (the
 * detail may quote what the client sent), so it always fits the frame.
 */
export function closeReason(offence: Offence, detail: string): string {
  return `${offence}: ${detail}`.replace(/[^\x20-\x7e]/gu, '?').slice(0, MAX_CLOSE_REASON_BYTES);
}
