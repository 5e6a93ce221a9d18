/**
 * Spectators: the HTTP route that hands out a spectator seat, the messages a
 * spectator exchanges with its room, and their validation. A spectator is a
 * client of the arena room that receives the match state but has no player;
 * it may step in as a player while a seat is free.
 */
import { parseJoinOptions, type JoinOptions, type Parsed } from './messages.ts';

/**
 * `POST /spectate/<roomId>` answers 200 with a {@link SpectatorSeat} (the
 * client joins it with the SDK's `consumeSeatReservation`), 404 for a room
 * that is gone, 409 when the room's spectator seats are all taken, 429 past
 * the per-address join rate. Watching needs no name.
 */
export const SpectateRoute = '/spectate';

/** A seat as Colyseus's matchmaker returns it (what `consumeSeatReservation` takes). */
export interface SpectatorSeat {
  name: string;
  sessionId: string;
  roomId: string;
  processId: string;
  publicAddress?: string | undefined;
}

export const SpectateMessage = {
  /** Client → server: take a free player seat, under `name` ({@link StepInRequest}). */
  StepIn: 'stepIn',
  /** Server → that client: the answer ({@link StepInResult}). */
  StepInResult: 'stepInResult',
} as const;

/** Client → server `stepIn`: the same name (and leaderboard identity) a join carries. */
export type StepInRequest = JoinOptions;

/** Server → client `stepInResult`: on `ok` the client's player is in the state from the next patch. */
export type StepInResult = { ok: true; name: string } | { ok: false; reason: string };

/** The link of a private room's watch page: `/#/w/<code>` (the invite link is `/#/r/<code>`). */
export const WATCH_ROUTE_PREFIX = '#/w/';

/** The code a page's `location.hash` asks to watch, if it is a watch route (the code is checked by `parseInviteCode`). */
export function watchCodeFromHash(hash: string): string | undefined {
  return hash.startsWith(WATCH_ROUTE_PREFIX) ? decodeURIComponent(hash.slice(WATCH_ROUTE_PREFIX.length)) : undefined;
}

/** The watch link of `code` on the page at `origin`. */
export function watchLink(origin: string, code: string): string {
  return `${origin}/${WATCH_ROUTE_PREFIX}${code}`;
}

/** Validate a `stepIn` request: the name follows the join rules. */
export function parseStepIn(payload: unknown): Parsed<StepInRequest> {
  return parseJoinOptions(payload);
}

/** Validate a `stepInResult` from the server (the client checks what it obeys). */
export function parseStepInResult(payload: unknown): Parsed<StepInResult> {
  if (typeof payload !== 'object' || payload === null) return { ok: false, error: 'stepInResult must be an object' };
  const { ok, name, reason } = payload as Record<string, unknown>;
  if (ok === true && typeof name === 'string' && name.length <= 64) return { ok: true, value: { ok: true, name } };
  if (ok === false && typeof reason === 'string' && reason.length <= 200)
    return { ok: true, value: { ok: false, reason } };
  return { ok: false, error: 'stepInResult is malformed' };
}
