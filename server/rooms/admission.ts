/**
 * Who gets into an arena room, decided before Colyseus seats anyone:
 * matchmaking's join options (the room's `onAuth`, before a seat or a room is
 * made), and whether a client connecting to a seat matchmaking reserved
 * still finds a player seat free (the room's `hasReservedSeat`, see
 * `seats.ts`). Seats of hand-offs are checked against their secret first
 * (see `arrivals.ts`), spectator seats against their own cap (see
 * `spectators.ts`).
 */
import { ServerError } from '@colyseus/core';
import { parseJoinOptions } from '../../shared/messages.ts';
import { isSpectatorSeat } from './spectators.ts';

/** Throws a {@link ServerError} (400) for join options a client may not pass, or that are invalid. */
export function checkJoinRequest(options: unknown): void {
  // onCreate restores a handed-off match from `handoffKey`: only the server's own createRoom may pass one.
  if (typeof options === 'object' && options !== null && 'handoffKey' in options)
    throw new ServerError(400, 'handoffKey is not a join option');
  // Only `POST /invites` makes private rooms: a client naming a code could take over another room's.
  if (typeof options === 'object' && options !== null && 'inviteCode' in options)
    throw new ServerError(400, 'inviteCode is not a join option');
  // Spectator seats come from `POST /spectate/<roomId>` (within their own cap), never from matchmaking.
  if (isSpectatorSeat(options)) throw new ServerError(400, 'spectate is not a join option; POST /spectate/<roomId>');
  const parsed = parseJoinOptions(options);
  if (!parsed.ok) throw new ServerError(400, parsed.error);
}
