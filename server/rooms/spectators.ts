/**
 * Spectators of an arena room: clients that get the match state but have no
 * player, within a cap of their own (`MAX_SPECTATORS`), apart from
 * `MAX_PLAYERS`.
 *
 * How they fit Colyseus's seat counting: Colyseus counts every client and
 * reservation against `maxClients`, locks a room that is full, and
 * `joinById` refuses a locked room without asking it. So:
 * - `maxClients` is players + spectators (Colyseus's ceiling on connections),
 *   while the room's `hasReachedMaxClients` counts player seats only. The
 *   lock, which Quick Play and `joinById` obey, means "no player seat free",
 *   whatever the spectators.
 * - A spectator seat is reserved by the room itself ({@link Spectators.reserve},
 *   the room's `reserveSpectatorSeat`), reached from any instance through
 *   `matchMaker.remoteRoomCall` by `POST /spectate/<roomId>` and by a
 *   hand-off: it checks the spectator cap and reserves even while the room is
 *   locked for players. The seat's join options (`{ spectate: true }`) are set
 *   here; matchmaking refuses the key from clients.
 * - The listing's `clients` counts spectators too; `metadata.players` is the
 *   player count the lobby and placement read.
 * A reconnecting spectator keeps its session id, so it stays a spectator.
 */
import { generateId, matchMaker, type Client, type IRoomCache } from '@colyseus/core';
import { parseStepIn, type SpectatorSeat, type StepInResult } from '../../shared/spectate.ts';
import type { ReservedSeat } from './seats.ts';

/** Join options of a spectator seat (set by the server only). */
export interface SpectatorSeatOptions {
  spectate: true;
}

/** The name a spectator's chat lines carry (it has no name of its own). */
export const SPECTATOR_CHAT_NAME = 'Spectator';

/** The join-option key that marks a spectator seat; a client may not pass it (`SERVER_ONLY_OPTION_KEYS`). */
export const SPECTATE_OPTION_KEY = 'spectate';

/** True when a seat's join options are a spectator's. */
export function isSpectatorSeat(options: unknown): boolean {
  return typeof options === 'object' && options !== null && (options as { spectate?: unknown }).spectate === true;
}

/** What {@link Spectators.reserve} answers: the seat's session id, or why there is none (an HTTP status). */
export type SpectatorSeatAnswer = { ok: true; sessionId: string } | { ok: false; status: 409 | 503; error: string };

/** What the book needs of its room. */
export interface SpectatorRoom {
  readonly clients: { getById(sessionId: string): Client | undefined; readonly length: number };
  /** Colyseus's seat reservations, read only (see `seats.ts`). */
  reservedSeats(): Readonly<Record<string, ReservedSeat>>;
  /** Reserve a seat with Colyseus; runs synchronously up to its admission check (`hasReachedMaxClients`). */
  reserveSeat(sessionId: string, options: SpectatorSeatOptions): Promise<boolean>;
}

/** The spectators of one room. */
export class Spectators {
  private readonly ids = new Set<string>();
  /** True while a spectator seat is being reserved: its admission was decided by the spectator cap. */
  private admitting = false;

  constructor(
    /** Spectator seats of the room (`MAX_SPECTATORS`). */
    readonly max: number,
    private readonly room: SpectatorRoom,
  ) {}

  /** True when `sessionId` is a spectator (connected, reserved or held for reconnection). */
  has(sessionId: string): boolean {
    return this.ids.has(sessionId);
  }

  /** Spectators connected, reserved or held for reconnection; forgets expired reservations. */
  count(): number {
    const reserved = this.room.reservedSeats();
    for (const id of this.ids)
      if (!(id in reserved) && this.room.clients.getById(id) === undefined) this.ids.delete(id);
    return this.ids.size;
  }

  /** Session ids of every spectator (what a hand-off carries over). */
  list(): string[] {
    this.count();
    return [...this.ids];
  }

  /** Connected clients that are players. */
  connectedPlayers(): number {
    let watching = 0;
    for (const id of this.ids) if (this.room.clients.getById(id) !== undefined) watching += 1;
    return this.room.clients.length - watching;
  }

  /** Colyseus's reservations without the spectators': what player seats count. */
  playerReservations(): Readonly<Record<string, ReservedSeat>> {
    const reserved = this.room.reservedSeats();
    if (this.ids.size === 0) return reserved;
    return Object.fromEntries(Object.entries(reserved).filter(([id]) => !this.ids.has(id)));
  }

  /**
   * Called first by the room's `hasReachedMaxClients`: true once, for the
   * admission check of the spectator seat being reserved right now (its cap
   * was checked already; the player seats do not matter).
   */
  admitOnce(): boolean {
    const admitting = this.admitting;
    this.admitting = false;
    return admitting;
  }

  /**
   * Reserve a spectator seat, under `sessionId` (a hand-off keeps a
   * spectator's session) or a fresh one, if the cap allows.
   */
  async reserve(sessionId?: string): Promise<SpectatorSeatAnswer> {
    if (this.max === 0) return { ok: false, status: 409, error: 'this server takes no spectators' };
    if (this.count() >= this.max)
      return { ok: false, status: 409, error: `all ${this.max} spectator seats of this room are taken` };
    const id = sessionId ?? generateId();
    if (this.room.reservedSeats()[id] !== undefined || this.room.clients.getById(id) !== undefined)
      return { ok: false, status: 409, error: 'that session already has a seat here' };
    this.ids.add(id);
    this.admitting = true;
    const pending = this.room.reserveSeat(id, { spectate: true });
    this.admitting = false;
    if (await pending.catch(() => false)) return { ok: true, sessionId: id };
    this.ids.delete(id);
    return { ok: false, status: 503, error: 'the room is closing' };
  }

  /** `sessionId` is no spectator any more (it stepped in, or left). */
  forget(sessionId: string): void {
    this.ids.delete(sessionId);
  }
}

/** What {@link stepIn} needs of the room. */
export interface StepInRoom {
  readonly spectators: Spectators;
  readonly maxPlayers: number;
  /** Player seats taken now: players connected or held, fresh player reservations. */
  playerSeatsTaken(): number;
  /** Put a player in the match for `sessionId`; answers the name it got (look-alikes get a number). */
  addPlayer(sessionId: string, name: string, identity: string | undefined): string;
}

/**
 * A spectator asks to play: it gets a free player seat under its (validated)
 * name, or a refusal saying why. Undefined when the payload is invalid (the
 * room counts that as a strike).
 */
export function stepIn(room: StepInRoom, sessionId: string, payload: unknown): StepInResult | undefined {
  const parsed = parseStepIn(payload);
  if (!parsed.ok) return undefined;
  if (!room.spectators.has(sessionId)) return { ok: false, reason: 'you are already playing' };
  if (room.playerSeatsTaken() >= room.maxPlayers)
    return {
      ok: false,
      reason: `the room is full (${room.maxPlayers} players); step in when a seat frees up`,
    };
  room.spectators.forget(sessionId);
  return { ok: true, name: room.addPlayer(sessionId, parsed.value.name, parsed.value.identity) };
}

/**
 * Reserve a spectator seat in the room `listing` describes, wherever it
 * lives (its room method `reserveSpectatorSeat`, over IPC when remote).
 */
export async function reserveSpectatorSeat(
  listing: Pick<IRoomCache, 'roomId' | 'name' | 'processId' | 'publicAddress'>,
  sessionId?: string,
): Promise<SpectatorSeat | { status: 404 | 409 | 503; error: string }> {
  let answer: SpectatorSeatAnswer;
  try {
    answer = (await matchMaker.remoteRoomCall(
      listing.roomId,
      'reserveSpectatorSeat',
      sessionId === undefined ? [] : [sessionId],
    )) as SpectatorSeatAnswer;
  } catch {
    return { status: 404, error: 'that room has closed' };
  }
  if (!answer.ok) return { status: answer.status, error: answer.error };
  return {
    name: listing.name,
    sessionId: answer.sessionId,
    roomId: listing.roomId,
    processId: listing.processId,
    ...(listing.publicAddress ? { publicAddress: listing.publicAddress } : {}),
  };
}
