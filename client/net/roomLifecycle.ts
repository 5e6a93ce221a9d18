/**
 * Everything that can happen to a joined arena room besides play: the socket
 * drops and the SDK reconnects, the room moves to another server (hand-off),
 * the server closes it with a final result, or it is gone. No DOM, no
 * Phaser: the game scene supplies what to show.
 */
import type { Client } from '@colyseus/sdk';
import { ServerMessage, type ServerClosingEvent } from '../../shared/messages.ts';
import { ArenaState } from '../../shared/state.ts';
import { log } from '../log.ts';
import type { ArenaRoom } from './connection.ts';
import { followHandoffs } from '../../netcode/handoff.ts';

export interface RoomLifecycleHandlers {
  /** The socket dropped; the SDK is reconnecting to the same seat. */
  dropped(code: number): void;
  reconnected(): void;
  /** The room is gone (for whatever reason, our own leave included). */
  left(code: number, reason?: string): void;
  /** The server moved the match to `next`, where our player already is. */
  moved(next: ArenaRoom): void;
  /** The server is shutting down with no other server to continue on; `event` holds the final scoreboard. */
  closing(event: ServerClosingEvent): void;
}

/** Watch `room` until the returned function is called. */
export function watchRoom(client: Client, room: ArenaRoom, handlers: RoomLifecycleHandlers): () => void {
  const cleanups: Array<() => void> = [];
  const listen = <A extends unknown[]>(
    signal: { (cb: (...args: A) => void): unknown; remove(cb: (...args: A) => void): void },
    cb: (...args: A) => void,
  ): void => {
    signal(cb);
    cleanups.push(() => signal.remove(cb));
  };
  listen(room.onDrop, (code: number) => {
    log.warn('connection dropped; SDK is reconnecting', { code });
    handlers.dropped(code);
  });
  listen(room.onReconnect, () => handlers.reconnected());
  listen(room.onLeave, (code: number, reason?: string) => handlers.left(code, reason));
  listen(room.onError, (code: number, message?: string) => log.warn('room error', { code, message }));
  cleanups.push(
    followHandoffs(client, room, {
      rootSchema: ArenaState,
      onMoved: (next) => {
        log.info('room moved to another server', { from: room.roomId, to: next.roomId });
        handlers.moved(next);
      },
      onFailed: (error) => log.warn('could not follow the room to its new server', { error: String(error) }),
    }),
    room.onMessage(ServerMessage.ServerClosing, (event: ServerClosingEvent) => handlers.closing(event)),
  );
  return () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
}
