/**
 * Following a room that moves to another server instance (the instance is
 * draining, or an operator rebalances): the server sends `handoff` with a
 * seat in the continuation room, where our player already waits under the
 * same session id with its position, health and score. We join that seat,
 * hand the new room to the caller, then leave the old one. No DOM, no
 * Phaser: the browser client, the bots and the tests all use this.
 */
import type { Client, Room } from '@colyseus/sdk';
import { ServerMessage, type HandoffEvent } from '../shared/messages.ts';

export interface FollowHandoffOptions<R extends Room> {
  /** Schema class of the room state; omit to let the SDK reflect it from the server. */
  rootSchema?: unknown;
  /** Called with the joined continuation room, before the old room is left: re-attach listeners here. */
  onMoved(next: R): void;
  /** Called when the seat could not be taken; the old room closes soon after with SERVER_SHUTDOWN. */
  onFailed?(error: unknown): void;
}

/**
 * Follow hand-offs of `room` for as long as it is open. Returns a function
 * that stops following (the listener goes away with the room anyway).
 */
export function followHandoffs<R extends Room>(client: Client, room: R, options: FollowHandoffOptions<R>): () => void {
  let moving = false;
  return room.onMessage(ServerMessage.Handoff, (event: HandoffEvent) => {
    if (moving) return;
    moving = true;
    void (async () => {
      try {
        const next = (await client.consumeSeatReservation(
          event.reservation as never,
          options.rootSchema as never,
        )) as R;
        // Our new socket may run through the draining instance (the load balancer
        // has no affinity), which cuts it when it exits: reconnect at once even
        // though the room is only just joined (the SDK otherwise waits 5 s).
        next.reconnection.minUptime = 0;
        // The old room is done with: its closing must not look like a drop to reconnect from.
        room.reconnection.enabled = false;
        options.onMoved(next);
        await room.leave(true).catch(() => undefined);
      } catch (error) {
        moving = false;
        options.onFailed?.(error);
      }
    })();
  });
}
