/**
 * Every seat of an arena room in one place: player seats (what counts as
 * taken, see `seats.ts`), spectator seats (a cap of their own, see
 * `spectators.ts`) and the seats a hand-off holds for clients still on their
 * way (see `arrivals.ts`); and matchmaking's lock kept in step with them.
 * The room's Colyseus hooks (`hasReservedSeat`, `hasReachedMaxClients`) ask
 * here.
 */
import type { Room } from '@colyseus/core';
import type { Logger } from '../logger.ts';
import { reserveSeat, reservedSeatsOf } from '../colyseusInternals.ts';
import { Arrivals, type StoredHandoff } from './arrivals.ts';
import { SeatBook } from './seats.ts';
import { Spectators, type SpectatorSeatAnswer } from './spectators.ts';

/** How often the room checks whether unused reservations have stopped counting (and it may unlock), in milliseconds. */
const FRESH_SEAT_CHECK_MS = 500;

/** How the seats read their room's state. */
export interface SeatRules {
  /** Player seats (`MAX_PLAYERS`). */
  maxPlayers: number;
  /** Spectator seats (`MAX_SPECTATORS`). */
  maxSpectators: number;
  /** True while a hand-off or shutdown holds the match still: the lock is theirs, and no spectator seat is handed out. */
  frozen(): boolean;
  log: Logger;
}

export class ArenaSeats {
  readonly spectators: Spectators;
  /** Seats restored from a hand-off whose clients have not arrived yet. */
  private readonly arriving = new Arrivals();
  private readonly book = new SeatBook();

  constructor(
    private readonly room: Room,
    private readonly rules: SeatRules,
  ) {
    this.spectators = new Spectators(rules.maxSpectators, {
      clients: room.clients,
      reservedSeats: () => reservedSeatsOf(room),
      // Colyseus's own reservation (private in its typings): the admission check is ours, see `spectators.ts`.
      reserveSeat: (sessionId, seatOptions) => reserveSeat(room, sessionId, seatOptions),
    });
    room.clock.setInterval(() => this.syncLock(), FRESH_SEAT_CHECK_MS);
  }

  /** Player seats (`MAX_PLAYERS`). */
  get maxPlayers(): number {
    return this.rules.maxPlayers;
  }

  /** Player seats taken (spectators left out); `except`: a client connecting now. */
  taken(except?: string): number {
    return this.book.taken(
      this.spectators.connectedPlayers(),
      this.spectators.playerReservations(),
      Date.now(),
      except,
    );
  }

  /**
   * Full when connected players, held seats and fresh reservations fill the
   * player seats; old unused reservations never do (see `seats.ts`), and
   * spectators never do (see `spectators.ts`).
   */
  full(): boolean {
    if (this.spectators.admitOnce()) return false;
    return this.taken() >= this.rules.maxPlayers;
  }

  /**
   * Whether the client connecting to `sessionId` gets its seat. A hand-off
   * seat is taken only with its `secret`: anyone else naming that session id
   * is refused and the seat stays held for its owner. Every other seat is
   * Colyseus's usual check (`reserved`), and a newcomer's also needs a
   * player seat still free.
   */
  admits(sessionId: string, secret: string | undefined, reserved: () => boolean): boolean {
    if (this.arriving.refuses(sessionId, secret)) {
      this.rules.log.warn('refused a hand-off seat claimed without its secret', { sessionId });
      return false;
    }
    if (!reserved()) return false;
    // Old unused reservations stop counting as taken (seats.ts): players who connected first may have filled the room.
    const newcomer =
      !this.arriving.has(sessionId) &&
      !this.spectators.has(sessionId) &&
      !SeatBook.isHeld(reservedSeatsOf(this.room), sessionId) &&
      this.room.clients.getById(sessionId) === undefined;
    if (newcomer && this.taken(sessionId) >= this.rules.maxPlayers) {
      this.rules.log.info('refused a seat: the room filled before its client connected', { sessionId });
      return false;
    }
    return true;
  }

  /**
   * Keep matchmaking's lock in step with {@link full}: Colyseus locks a room
   * when a reservation fills it but unlocks only when a seat is given back,
   * never when a reservation merely goes unused. A hand-off or a restore
   * holds its own lock.
   */
  syncLock(): void {
    if (this.rules.frozen() || this.arriving.size > 0) return;
    const full = this.full();
    if (full && !this.room.locked) void this.room.lock();
    else if (!full && this.room.locked) void this.room.unlock();
  }

  /** Reserve a spectator seat under `sessionId` (a hand-off keeps it) or a fresh one, within the spectator cap. */
  async reserveSpectator(sessionId: unknown): Promise<SpectatorSeatAnswer> {
    if (this.rules.frozen())
      return { ok: false, status: 503, error: 'the room is moving to another server; try again' };
    return this.spectators.reserve(typeof sessionId === 'string' && sessionId.length <= 64 ? sessionId : undefined);
  }

  /** Hold the seats of a restored hand-off's players and spectators until their clients arrive. */
  expect(handoff: StoredHandoff): void {
    this.arriving.expect(handoff, this.rules.log);
  }

  /** Seats still held for a hand-off's clients. */
  get expected(): number {
    return this.arriving.size;
  }

  /** The client of `sessionId` joined; true when a hand-off held its seat. The room unlocks once all have come. */
  arrive(sessionId: string): boolean {
    const arrived = this.arriving.arrive(sessionId);
    if (arrived && this.arriving.size === 0) void this.room.unlock();
    return arrived;
  }

  /** Release the hand-off seats nobody came for; answers their session ids (their players are the room's to remove). */
  giveUp(): string[] {
    const missing = this.arriving.giveUp();
    for (const sessionId of missing) {
      this.spectators.forget(sessionId);
      this.rules.log.info('handed-off player never arrived; seat released', { sessionId });
    }
    return missing;
  }

  /** `sessionId` left the room. */
  forget(sessionId: string): void {
    this.spectators.forget(sessionId);
  }
}
