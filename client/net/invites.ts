/**
 * Private rooms from the page: make one (`POST /invites`), and follow an
 * invite code to its room (`GET /invites/<code>`, then a join by room id),
 * with failures put in words a player can act on.
 */
import { MatchMakeError, ServerError } from '@colyseus/sdk';
import { parseInviteCode } from '../../shared/invite.ts';
import { InviteRoute, type HttpError, type InviteCreated, type InviteLookup } from '../../shared/messages.ts';
import type { ArenaConnection, ArenaRoom } from './connection.ts';

/** An invite that leads nowhere: the message says why; Quick Play is the way on. */
export class InviteFailed extends Error {
  override name = 'InviteFailed';
}

/** Make a private room and join it; resolves with the room and its code. `name` is validated by the caller (as for every join). */
export async function createPrivateRoom(
  connection: ArenaConnection,
  name: string,
): Promise<{ room: ArenaRoom; code: string }> {
  const res = await fetch(`${connection.serverUrl}${InviteRoute.Create}`, { method: 'POST' });
  const body = (await res.json().catch(() => ({}))) as Partial<InviteCreated> & Partial<HttpError>;
  if (res.status !== 201 || typeof body.code !== 'string' || typeof body.roomId !== 'string') {
    throw new InviteFailed(`Could not make a private room: ${body.error ?? `error ${res.status}`}`);
  }
  const room = await connection.joinRoom(body.roomId, name);
  return { room, code: body.code };
}

/** Join the room `rawCode` invites to; throws {@link InviteFailed} when it is expired, full or the code is wrong. */
export async function joinInvite(
  connection: ArenaConnection,
  rawCode: string,
  name: string,
): Promise<{ room: ArenaRoom; code: string }> {
  const { roomId, code } = await lookUpInvite(connection, rawCode);
  try {
    return { room: await connection.joinRoom(roomId, name), code };
  } catch (error) {
    if (error instanceof MatchMakeError || error instanceof ServerError) {
      if (/locked|full/iu.test(error.message)) throw new InviteFailed('That room is full.');
      if (/not found|invalid|disposed|expired/iu.test(error.message))
        throw new InviteFailed('This invite has expired: the room has closed.');
    }
    throw error;
  }
}

/** The room `rawCode` invites to (and the code, normalised); throws {@link InviteFailed} when it is expired or the code is wrong. */
export async function lookUpInvite(
  connection: ArenaConnection,
  rawCode: string,
): Promise<{ roomId: string; code: string }> {
  const parsed = parseInviteCode(rawCode);
  if (!parsed.ok) throw new InviteFailed(`This invite link is broken (${parsed.error}).`);
  const code = parsed.value;
  const res = await fetch(`${connection.serverUrl}${InviteRoute.Lookup}/${code}`);
  const body = (await res.json().catch(() => ({}))) as Partial<InviteLookup> & Partial<HttpError>;
  if (res.status === 404) throw new InviteFailed('This invite has expired: the room has closed.');
  if (res.status === 429)
    throw new InviteFailed(`Too many invite lookups from your address; try again in ${body.retryAfterS ?? 10} s.`);
  if (res.status !== 200 || typeof body.roomId !== 'string')
    throw new InviteFailed(`Could not look the invite up: ${body.error ?? `error ${res.status}`}`);
  return { roomId: body.roomId, code };
}
