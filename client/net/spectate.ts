/**
 * Watching a match from the page: a spectator seat from `POST /spectate/<roomId>`
 * (a listed room, or a private one through its invite code), and stepping
 * in as a player when a seat is free. No DOM, no Phaser.
 */
import type { HttpError } from '../../shared/messages.ts';
import { parseJoinOptions } from '../../shared/messages.ts';
import {
  parseStepInResult,
  SpectateMessage,
  SpectateRoute,
  type SpectatorSeat,
  type StepInResult,
} from '../../shared/spectate.ts';
import { ArenaState } from '../../shared/state.ts';
import { log } from '../log.ts';
import { reconnectSoon } from '../../netcode/reconnect.ts';
import type { ArenaConnection, ArenaRoom } from './connection.ts';
import { InviteFailed, lookUpInvite } from './invites.ts';
import { playerIdentity } from './leaderboard.ts';

/** A room that cannot be watched: the message says why, in words a player can act on. */
export class WatchFailed extends Error {
  override name = 'WatchFailed';
}

/** Watch arena room `roomId`: join it as a spectator (no name needed). */
export async function spectateRoom(connection: ArenaConnection, roomId: string): Promise<ArenaRoom> {
  const res = await fetch(`${connection.serverUrl}${SpectateRoute}/${encodeURIComponent(roomId)}`, {
    method: 'POST',
  });
  const body = (await res.json().catch(() => ({}))) as Partial<SpectatorSeat> & Partial<HttpError>;
  if (res.status === 404) throw new WatchFailed('That room has closed.');
  if (res.status === 409) throw new WatchFailed(`Cannot watch that room: ${body.error ?? 'no spectator seat free'}.`);
  if (res.status === 429)
    throw new WatchFailed(`Too many joins from your address; try again in ${body.retryAfterS ?? 10} s.`);
  if (res.status !== 200 || typeof body.sessionId !== 'string' || typeof body.roomId !== 'string')
    throw new WatchFailed(`Could not watch that room: ${body.error ?? `error ${res.status}`}`);
  const room: ArenaRoom = await connection.client.consumeSeatReservation(body as never, ArenaState);
  log.info('watching arena', { roomId: room.roomId, sessionId: room.sessionId });
  return reconnectSoon(room);
}

/** Watch the private room `rawCode` invites to; throws {@link InviteFailed} when the link is dead or the room full of spectators. */
export async function watchInvite(
  connection: ArenaConnection,
  rawCode: string,
): Promise<{ room: ArenaRoom; code: string }> {
  const { roomId, code } = await lookUpInvite(connection, rawCode);
  try {
    return { room: await spectateRoom(connection, roomId), code };
  } catch (error) {
    if (error instanceof WatchFailed) throw new InviteFailed(error.message);
    throw error;
  }
}

/**
 * Ask for a player seat under `name`; resolves with the server's answer
 * (a refusal says why). A bad name is refused here, as on any join.
 */
export function requestStepIn(room: ArenaRoom, name: string): Promise<StepInResult> {
  const parsed = parseJoinOptions({ name, identity: playerIdentity() });
  if (!parsed.ok) return Promise.resolve({ ok: false, reason: parsed.error });
  return new Promise((resolve) => {
    const stop = room.onMessage(SpectateMessage.StepInResult, (payload: unknown) => {
      stop();
      const answer = parseStepInResult(payload);
      resolve(answer.ok ? answer.value : { ok: false, reason: 'the server gave an answer this page cannot read' });
    });
    room.send(SpectateMessage.StepIn, parsed.value);
  });
}
