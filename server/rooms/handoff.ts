/**
 * Moving a running arena room to another instance, and closing one when no
 * instance can take it. Used when an instance drains (SIGTERM, scale-down,
 * the weekly restart) and on demand to rebalance.
 *
 * A hand-off: freeze the match, store its snapshot in presence (Redis in a
 * cluster), create the continuation room on another live instance (our
 * placement hook never picks the draining one), reserve a seat there for
 * every player under the SAME session id, and send each client its seat. The
 * client joins the new room (its player is already there, restored) and
 * leaves this one. Whoever has not moved after {@link HANDOFF_FOLLOW_MS} is
 * disconnected.
 *
 * Session ids are public (they key `state.players`), so a seat under one
 * proves nothing: each hand-off seat is bound to a one-use secret sent only
 * to its player (as the reservation's `reconnectionToken`, which the SDK puts
 * on the connection URL). The continuation room keeps only its hash and
 * refuses a connection for that seat without it; the seat stays held.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { CloseCode, matchMaker, type Client, type IRoomCache, type Presence, type Room } from '@colyseus/core';
import {
  ServerMessage,
  type HandoffEvent,
  type ScoreRow,
  type SeatReservation,
  type ServerClosingEvent,
} from '../../shared/messages.ts';
import type { ArenaGame } from '../game/ArenaGame.ts';
import type { Logger } from '../logger.ts';
import { sleep } from '../../common/sleep.ts';
import { reserveSpectatorSeat, SPECTATE_OPTION_KEY } from './spectators.ts';

/** Presence key prefix of stored snapshots; the rest is a random id, so a key cannot be guessed. */
export const HANDOFF_KEY_PREFIX = 'arena:handoff:';
/** Presence key prefix of final results kept when a room closes without a hand-off. */
export const RESULT_KEY_PREFIX = 'arena:result:';
/** How long a stored snapshot lives, in seconds: long enough for the new room to read it, short enough not to pile up. */
const SNAPSHOT_TTL_S = 60;
/** Suffix of the presence key, beside the snapshot's, that holds the hashes of the seat secrets. */
export const HANDOFF_SEATS_SUFFIX = ':seats';
/** How long a final result is kept, in seconds (7 days). */
const RESULT_TTL_S = 7 * 24 * 3600;
/** How long clients have to move to the new room before this one closes on them, in milliseconds. */
export const HANDOFF_FOLLOW_MS = 3000;
/** Time for the last message to reach clients before their socket closes, in milliseconds. */
const FLUSH_MS = 150;

/** Create options of a continuation room; set only by {@link handOffRoom}, never by a client's wish. */
export interface HandoffCreateOptions {
  handoffKey: string;
  /** A private room's invite code: the continuation room takes it over (and stays private). */
  inviteCode?: string | undefined;
}

/** Option keys only the server itself passes (hand-off create and seat options); matchmaking refuses them from clients. */
export const SERVER_ONLY_OPTION_KEYS: readonly string[] = ['handoffKey', 'handoff', 'inviteCode', SPECTATE_OPTION_KEY];

/** What {@link handOffRoom} needs of the room it moves. */
export interface HandoffSource {
  readonly roomId: string;
  readonly roomName: string;
  readonly presence: Presence;
  readonly clients: ArrayLike<Client> & Iterable<Client>;
  readonly game: ArenaGame;
  /** The room's invite code when it is private. */
  readonly inviteCode?: string | undefined;
  /** Session ids of the room's spectators: they move too, as spectators, under the same session ids. */
  spectatorIds?(): string[];
  /** Stop or resume the fixed step. */
  setFrozen(frozen: boolean): void;
  lock(): Promise<void>;
  unlock(): Promise<void>;
  disconnect(closeCode?: number): Promise<unknown>;
}

/** The {@link HandoffSource} of `room`, the rest of it from `match`. */
export function handoffSourceOf(
  room: Room,
  match: Pick<HandoffSource, 'game' | 'inviteCode' | 'spectatorIds' | 'setFrozen'>,
): HandoffSource {
  return {
    roomId: room.roomId,
    roomName: room.roomName,
    presence: room.presence,
    clients: room.clients,
    lock: () => room.lock(),
    unlock: () => room.unlock(),
    disconnect: (code) => room.disconnect(code),
    ...match,
  };
}

/** Where a room went. */
export interface HandoffResult {
  fromRoomId: string;
  toRoomId: string;
  toProcessId: string;
  /** Players whose seat was sent to them. */
  seats: number;
  /** Of those, how many had moved before this room closed. */
  moved: number;
  /**
   * True when this call found another hand-off of the room under way and
   * started none: the other fields say where that one is taking the room.
   */
  alreadyUnderWay?: true;
}

/** Where a hand-off under way is taking its room, once the continuation room exists. */
interface HandoffTarget {
  toRoomId: string;
  toProcessId: string;
}

/** Hand-offs under way on this process, by room id: one per room at a time (entries leave when each ends). */
const underWay = new Map<string, Promise<HandoffTarget>>();

/** Raised when no instance could take the room; the room is left running and unfrozen. */
export class HandoffUnavailableError extends Error {
  override name = 'HandoffUnavailableError';
}

/** A new hand-off seat secret: 192 random bits, URL-safe (it travels on the WebSocket URL). */
export function newSeatSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** What the continuation room keeps of a seat secret: its SHA-256, base64url (43 characters). */
export function seatSecretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Whether `secret` (from the connection, untrusted) is the one whose hash is `hash`; constant time. */
export function seatSecretMatches(secret: unknown, hash: string): boolean {
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > 128) return false;
  const given = Buffer.from(seatSecretHash(secret));
  const expected = Buffer.from(hash);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Read the stored seat hashes (JSON `{ sessionId: hash }`): crossed a process
 * boundary, so every entry is checked; a bad one is dropped, not trusted.
 */
export function parseSeatHashes(json: unknown): Map<string, string> {
  const seats = new Map<string, string>();
  if (typeof json !== 'string' || json.length > 64 * 1024) return seats;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return seats;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return seats;
  for (const [sessionId, hash] of Object.entries(raw)) {
    if (sessionId.length > 0 && sessionId.length <= 64 && typeof hash === 'string' && /^[A-Za-z0-9_-]{43}$/.test(hash))
      seats.set(sessionId, hash);
  }
  return seats;
}

/** A spectator's seat in the continuation room, under its own session id. */
async function spectatorSeat(listing: IRoomCache, sessionId: string): Promise<SeatReservation> {
  const seat = await reserveSpectatorSeat(listing, sessionId);
  if ('status' in seat) throw new Error(seat.error);
  return seat;
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until) await sleep(20);
}

/**
 * Move `room` to another instance; see the file comment. A second call while
 * one is under way starts nothing: it answers where the first one is taking
 * the room (`alreadyUnderWay`), or fails as the first one did.
 */
export async function handOffRoom(room: HandoffSource, log: Logger): Promise<HandoffResult> {
  const current = underWay.get(room.roomId);
  if (current) {
    const target = await current;
    log.info('hand-off refused: another one is under way', { ...target });
    return { fromRoomId: room.roomId, ...target, seats: 0, moved: 0, alreadyUnderWay: true };
  }
  let settle!: { resolve(target: HandoffTarget): void; reject(error: unknown): void };
  const target = new Promise<HandoffTarget>((resolve, reject) => {
    settle = { resolve, reject };
  });
  target.catch(() => undefined);
  underWay.set(room.roomId, target);
  try {
    return await moveRoom(room, log, (t) => settle.resolve(t));
  } catch (error) {
    settle.reject(error);
    throw error;
  } finally {
    underWay.delete(room.roomId);
  }
}

async function moveRoom(
  room: HandoffSource,
  log: Logger,
  placed: (target: HandoffTarget) => void,
): Promise<HandoffResult> {
  await room.lock();
  room.setFrozen(true);
  const key = `${HANDOFF_KEY_PREFIX}${randomUUID()}`;
  const snapshot = room.game.snapshot();
  const spectators = new Set(room.spectatorIds?.() ?? []);
  // Spectators' seats are in the same secret list; the continuation room tells them apart from players by the snapshot.
  const secrets = new Map(
    [...snapshot.players.map((p) => p.sessionId), ...spectators].map((id) => [id, newSeatSecret()]),
  );
  const hashes = Object.fromEntries([...secrets].map(([sessionId, secret]) => [sessionId, seatSecretHash(secret)]));
  let listing: Awaited<ReturnType<typeof matchMaker.createRoom>>;
  try {
    await room.presence.setex(`${key}${HANDOFF_SEATS_SUFFIX}`, JSON.stringify(hashes), SNAPSHOT_TTL_S);
    await room.presence.setex(key, JSON.stringify(snapshot), SNAPSHOT_TTL_S);
    const options: HandoffCreateOptions = {
      handoffKey: key,
      ...(room.inviteCode === undefined ? {} : { inviteCode: room.inviteCode }),
    };
    listing = await matchMaker.createRoom(room.roomName, options);
  } catch (error) {
    room.setFrozen(false);
    await room.unlock();
    await Promise.resolve(room.presence.del(key)).catch(() => undefined);
    await Promise.resolve(room.presence.del(`${key}${HANDOFF_SEATS_SUFFIX}`)).catch(() => undefined);
    throw new HandoffUnavailableError(
      `no instance could take room ${room.roomId}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  placed({ toRoomId: listing.roomId, toProcessId: listing.processId });

  const clients = [...room.clients];
  const sent = await Promise.all(
    clients.map(async (client) => {
      const secret = secrets.get(client.sessionId);
      if (secret === undefined) {
        log.warn('client has no player in the snapshot; no seat sent', { sessionId: client.sessionId });
        return false;
      }
      try {
        const seat = spectators.has(client.sessionId)
          ? await spectatorSeat(listing, client.sessionId)
          : await matchMaker.reserveSeatFor(listing, { handoff: true }, { sessionId: client.sessionId });
        const event: HandoffEvent = { reservation: { ...seat, reconnectionToken: secret } };
        client.send(ServerMessage.Handoff, event);
        return true;
      } catch (error) {
        log.warn('could not reserve a seat in the continuation room', { sessionId: client.sessionId, error });
        return false;
      }
    }),
  );
  const seats = sent.filter(Boolean).length;
  await waitUntil(() => room.clients.length === 0, HANDOFF_FOLLOW_MS);
  const moved = seats - room.clients.length;
  const result: HandoffResult = {
    fromRoomId: room.roomId,
    toRoomId: listing.roomId,
    toProcessId: listing.processId,
    seats,
    moved,
  };
  log.info('room handed off', { ...result });
  await room.disconnect(CloseCode.SERVER_SHUTDOWN);
  return result;
}

/**
 * Close a room no other instance can take: tell the players why, show them
 * the scoreboard as the round's final result, and keep that result in
 * presence (and the log) so it is not lost with the process.
 */
export async function closeWithFinalResult(room: HandoffSource, log: Logger, message: string): Promise<ScoreRow[]> {
  await room.lock();
  room.setFrozen(true);
  const rows = room.game.scoreboard();
  const event: ServerClosingEvent = { message, round: room.game.state.round.number, rows };
  for (const client of room.clients) client.send(ServerMessage.ServerClosing, event);
  log.info('room closed without a hand-off; final result kept', { round: event.round, rows });
  await Promise.resolve(
    room.presence.setex(
      `${RESULT_KEY_PREFIX}${room.roomId}`,
      JSON.stringify({ ...event, endedAtEpochMs: Date.now() }),
      RESULT_TTL_S,
    ),
  ).catch((error: unknown) => log.warn('could not store the final result', { error }));
  await sleep(FLUSH_MS);
  await room.disconnect(CloseCode.SERVER_SHUTDOWN);
  return rows;
}
