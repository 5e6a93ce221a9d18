/**
 * What happens to a player whose connection drops: a client the room cut off
 * (for misbehaviour, or Colyseus for a flood) gets no seat held; anyone else
 * keeps the seat for the reconnect grace (`RECONNECT_GRACE_S`), and a
 * reconnection that replaced a socket still open is not left with two.
 */
import { CloseCode, type Client, type Room } from '@colyseus/core';
import type { Logger } from '../logger.ts';
import { clientSocket } from '../colyseusInternals.ts';
import type { ClientPolicing } from './clientPolicing.ts';
import type { FrameGuard } from './frameGuard.ts';

/** What decides whether a dropped client's seat is held. */
export interface DropPolicy {
  readonly log: Logger;
  /** Seconds a dropped player's seat is held; 0 holds none. */
  readonly reconnectGraceS: number;
  /** Clients it cut off (its cuts are logged when made). */
  readonly police: Pick<ClientPolicing, 'isCutOff'>;
  /** The client whose frame Colyseus is dispatching right now. */
  readonly frames: Pick<FrameGuard, 'sender'>;
}

/**
 * Hold the seat of `client`, dropped from `room` with close `code`, unless it
 * was cut off; resolves once the seat is taken back or given up.
 */
export async function holdDroppedSeat(
  room: Room,
  client: Client,
  code: number | undefined,
  policy: DropPolicy,
): Promise<void> {
  const { log, reconnectGraceS } = policy;
  // A client cut off for misbehaviour gets no seat held; onLeave, which Colyseus calls
  // next, forgets the player. Our own cuts were logged when they were made.
  if (policy.police.isCutOff(client)) return;
  // Colyseus cuts a flooding client off in the middle of dispatching its frame. The same
  // WITH_ERROR outside a dispatch is a stale socket replaced by the player's own reconnection.
  if (code === CloseCode.WITH_ERROR && policy.frames.sender === client) {
    log.warn('disconnected a flooding client', {
      sessionId: client.sessionId,
      closeCode: code,
      limitPerS: room.maxMessagesPerSecond,
    });
    return;
  }
  if (reconnectGraceS <= 0) return;
  log.info('player dropped, holding seat', { sessionId: client.sessionId, graceS: reconnectGraceS });
  const socket = clientSocket(client);
  try {
    await room.allowReconnection(client, reconnectGraceS);
    // A reconnection can replace a socket that is still open (the server had not yet noticed it
    // dying), and Colyseus leaves that one open: drop it, or a client reconnecting over itself
    // piles up sockets that answer pings forever.
    if (clientSocket(client) !== socket) socket.terminate?.();
  } catch {
    // The seat expired or the room is closing: onLeave forgets the player either way.
  }
}
