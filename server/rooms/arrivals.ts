/**
 * The receiving side of a hand-off (see `handoff.ts` for the sending side):
 * the continuation room reads the stored snapshot once, puts its players
 * back under their session ids, and holds their seats, and the seats of the
 * spectators who move along, until their clients arrive. Each seat is taken
 * only with its secret; the room keeps its hash.
 */
import { ServerError, type Presence, type Room } from '@colyseus/core';
import type { ArenaGame } from '../game/ArenaGame.ts';
import { parseGameSnapshot, type GameSnapshot } from '../game/snapshot.ts';
import type { Logger } from '../logger.ts';
import type { ArenaSeats } from './arenaSeats.ts';
import { HANDOFF_KEY_PREFIX, HANDOFF_SEATS_SUFFIX, parseSeatHashes, seatSecretMatches } from './handoff.ts';

/** Seconds a continuation room holds the seats of players moving in from a hand-off. */
export const HANDOFF_SEAT_HOLD_S = 15;

/** A stored hand-off as the continuation room reads it: the match, and the hash of each seat's secret by session id. */
export interface StoredHandoff {
  snapshot: GameSnapshot;
  seats: Map<string, string>;
}

/**
 * Read the hand-off stored under `key` and delete it (it is read once),
 * checking every field. Throws a {@link ServerError} (the room is not
 * created) when the key is not a hand-off key, the snapshot has expired or
 * does not parse.
 */
async function takeStoredHandoff(presence: Presence, key: unknown): Promise<StoredHandoff> {
  if (typeof key !== 'string' || !key.startsWith(HANDOFF_KEY_PREFIX))
    throw new ServerError(400, 'invalid hand-off key');
  const stored: unknown = await presence.get(key);
  if (typeof stored !== 'string') throw new ServerError(404, 'hand-off snapshot not found or expired');
  const seats = parseSeatHashes(await presence.get(`${key}${HANDOFF_SEATS_SUFFIX}`));
  await Promise.resolve(presence.del(key));
  await Promise.resolve(presence.del(`${key}${HANDOFF_SEATS_SUFFIX}`));
  const parsed = parseGameSnapshot(stored);
  if (!parsed.ok) throw new ServerError(400, `hand-off snapshot rejected: ${parsed.error}`);
  return { snapshot: parsed.value, seats };
}

/**
 * Continue in `room`, a fresh continuation room, the match handed off under
 * `key` by another instance: its players are put back into `game` under
 * their session ids and their seats are held (the room stays locked to
 * strangers) until they arrive or {@link HANDOFF_SEAT_HOLD_S} passes.
 */
export async function restoreHandoff(room: Room, key: unknown, game: ArenaGame, seats: ArenaSeats): Promise<void> {
  const handoff = await takeStoredHandoff(room.presence, key);
  game.restore(handoff.snapshot);
  seats.expect(handoff);
  room.seatReservationTimeout = HANDOFF_SEAT_HOLD_S;
  await room.lock();
  room.clock.setTimeout(() => {
    for (const sessionId of seats.giveUp()) game.removePlayer(sessionId);
    void room.unlock();
  }, HANDOFF_SEAT_HOLD_S * 1000);
}

/** Players and spectators restored from a hand-off whose clients have not arrived yet, with the hash of each seat's secret. */
export class Arrivals {
  private readonly expected = new Map<string, string>();

  /** Seats still waiting for their clients. */
  get size(): number {
    return this.expected.size;
  }

  /**
   * Expect the clients of `handoff`: its players, then the other seats (the
   * spectators', which reserve theirs through the room's `reserveSpectatorSeat`).
   */
  expect(handoff: StoredHandoff, log: Logger): void {
    for (const p of handoff.snapshot.players) {
      // A player without a seat secret can never be claimed: its seat just expires.
      const hash = handoff.seats.get(p.sessionId);
      if (hash === undefined)
        log.warn('handed-off player has no seat secret; seat will expire', { sessionId: p.sessionId });
      this.expected.set(p.sessionId, hash ?? '');
    }
    const players = new Set(handoff.snapshot.players.map((p) => p.sessionId));
    for (const [sessionId, hash] of handoff.seats) if (!players.has(sessionId)) this.expected.set(sessionId, hash);
  }

  /** True when `sessionId` is a hand-off seat. */
  has(sessionId: string): boolean {
    return this.expected.has(sessionId);
  }

  /** True when `sessionId` is a hand-off seat and `secret` is not its secret: the seat stays held for its owner. */
  refuses(sessionId: string, secret: string | undefined): boolean {
    const hash = this.expected.get(sessionId);
    return hash !== undefined && !seatSecretMatches(secret, hash);
  }

  /** The client of `sessionId` has arrived; true when it was expected. */
  arrive(sessionId: string): boolean {
    return this.expected.delete(sessionId);
  }

  /** Stop waiting: the session ids that never arrived. */
  giveUp(): string[] {
    const missing = [...this.expected.keys()];
    this.expected.clear();
    return missing;
  }
}
