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
 */
import { randomUUID } from 'node:crypto';
import { CloseCode, matchMaker, type Client, type Presence } from '@colyseus/core';
import { ServerMessage, type HandoffEvent, type ScoreRow, type ServerClosingEvent } from '../../shared/messages.ts';
import type { ArenaGame } from '../game/ArenaGame.ts';
import type { Logger } from '../logger.ts';

/** Presence key prefix of stored snapshots; the rest is a random id, so a key cannot be guessed. */
export const HANDOFF_KEY_PREFIX = 'arena:handoff:';
/** Presence key prefix of final results kept when a room closes without a hand-off. */
export const RESULT_KEY_PREFIX = 'arena:result:';
/** How long a stored snapshot lives, in seconds: long enough for the new room to read it, short enough not to pile up. */
const SNAPSHOT_TTL_S = 60;
/** How long a final result is kept, in seconds (7 days). */
const RESULT_TTL_S = 7 * 24 * 3600;
/** How long clients have to move to the new room before this one closes on them, in milliseconds. */
export const HANDOFF_FOLLOW_MS = 3000;
/** Time for the last message to reach clients before their socket closes, in milliseconds. */
const FLUSH_MS = 150;

/** Create options of a continuation room; set only by {@link handOffRoom}, never by a client's wish. */
export interface HandoffCreateOptions {
  handoffKey: string;
}

/** What {@link handOffRoom} needs of the room it moves. */
export interface HandoffSource {
  readonly roomId: string;
  readonly roomName: string;
  readonly presence: Presence;
  readonly clients: ArrayLike<Client> & Iterable<Client>;
  readonly game: ArenaGame;
  /** Stop or resume the fixed step. */
  setFrozen(frozen: boolean): void;
  lock(): Promise<void>;
  unlock(): Promise<void>;
  disconnect(closeCode?: number): Promise<unknown>;
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
}

/** Raised when no instance could take the room; the room is left running and unfrozen. */
export class HandoffUnavailableError extends Error {
  override name = 'HandoffUnavailableError';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until) await sleep(20);
}

/** Move `room` to another instance; see the file comment. */
export async function handOffRoom(room: HandoffSource, log: Logger): Promise<HandoffResult> {
  await room.lock();
  room.setFrozen(true);
  const key = `${HANDOFF_KEY_PREFIX}${randomUUID()}`;
  let listing;
  try {
    await room.presence.setex(key, JSON.stringify(room.game.snapshot()), SNAPSHOT_TTL_S);
    const options: HandoffCreateOptions = { handoffKey: key };
    listing = await matchMaker.createRoom(room.roomName, options);
  } catch (error) {
    room.setFrozen(false);
    await room.unlock();
    await Promise.resolve(room.presence.del(key)).catch(() => undefined);
    throw new HandoffUnavailableError(`no instance could take room ${room.roomId}: ${error instanceof Error ? error.message : String(error)}`);
  }

  const clients = [...room.clients];
  const sent = await Promise.all(
    clients.map(async (client) => {
      try {
        const reservation = await matchMaker.reserveSeatFor(listing, { handoff: true }, { sessionId: client.sessionId });
        const event: HandoffEvent = { reservation };
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
  const result: HandoffResult = { fromRoomId: room.roomId, toRoomId: listing.roomId, toProcessId: listing.processId, seats, moved };
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
  await Promise.resolve(room.presence.setex(`${RESULT_KEY_PREFIX}${room.roomId}`, JSON.stringify({ ...event, endedAtEpochMs: Date.now() }), RESULT_TTL_S)).catch(
    (error: unknown) => log.warn('could not store the final result', { error }),
  );
  await sleep(FLUSH_MS);
  await room.disconnect(CloseCode.SERVER_SHUTDOWN);
  return rows;
}
