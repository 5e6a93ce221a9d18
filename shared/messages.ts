/**
 * Every room message name and payload, declared once and used by server and
 * client. Payloads from clients are untrusted: the room runs the matching
 * `parse*` function on each before acting on it.
 */
import { CHAT_MAX_LENGTH, NAME_MAX_LENGTH, NAME_MIN_LENGTH, NAME_PATTERN } from './constants.ts';
import { parseIdentity } from './leaderboard.ts';
import { normalizeName } from './names.ts';
import { INPUT_RATE_SCALE_MAX, INPUT_RATE_SCALE_MIN } from './inputPace.ts';

export const ClientMessage = {
  Chat: 'chat',
} as const;
export type ClientMessage = (typeof ClientMessage)[keyof typeof ClientMessage];

export const ServerMessage = {
  Chat: 'chat',
  Kill: 'kill',
  RoundOver: 'roundOver',
  Notice: 'notice',
  Handoff: 'handoff',
  ServerClosing: 'serverClosing',
  InputPace: 'inputPace',
  Hit: 'hit',
  /** `LeaderboardSaved` (in `leaderboard.ts`): the round's results are on the boards. */
  LeaderboardSaved: 'leaderboardSaved',
} as const;
export type ServerMessage = (typeof ServerMessage)[keyof typeof ServerMessage];

/**
 * WebSocket close codes of our own (Colyseus uses 4000–4010). A client closed
 * with one of these should not reconnect on its own.
 *
 * Other codes a misbehaving client sees come from below us: 4002 (Colyseus's
 * WITH_ERROR) for more than the room's frames per second, 1009 (from `ws`)
 * for a frame over the server's size limit.
 */
export const ArenaCloseCode = {
  /**
   * The client sent what no honest client of this build sends: an
   * undecodable frame, or too many unknown messages, invalid chat, invalid
   * inputs or refused chat lines. The close reason names the last offence
   * and what was wrong, e.g. `bad_message: unknown message type "teleport"`.
   */
  Misbehaviour: 4400,
} as const;

/** Client → server `chat`. */
export interface ChatRequest {
  text: string;
}

/** Server → clients `chat`. */
export interface ChatBroadcast {
  fromId: string;
  name: string;
  text: string;
}

/** Server → clients `kill`: one line of the kill feed. */
export interface KillEvent {
  killerId: string;
  killerName: string;
  victimId: string;
  victimName: string;
  /** Time until the victim respawns, in milliseconds (the server's configured delay). */
  respawnInMs: number;
}

/** One row of the end-of-round scoreboard. */
export interface ScoreRow {
  sessionId: string;
  name: string;
  kills: number;
  deaths: number;
  score: number;
}

/** Server → clients `roundOver`, rows sorted best first. */
export interface RoundOverEvent {
  round: number;
  rows: ScoreRow[];
  nextRoundInMs: number;
}

/**
 * Server → one client `notice`: why a message, an input or a frame was
 * refused (in the arena each is also a strike, see `ArenaCloseCode`).
 */
export interface Notice {
  code: 'chat_invalid' | 'chat_rate' | 'bad_message' | 'bad_input' | 'bad_frame';
  message: string;
}

/**
 * A seat in another room, as Colyseus's matchmaker returns it: what the SDK's
 * `consumeSeatReservation` takes.
 */
export interface SeatReservation {
  name: string;
  sessionId: string;
  roomId: string;
  processId?: string | undefined;
  publicAddress?: string | undefined;
  /**
   * In a hand-off seat: the seat's one-use secret, known only to this player.
   * The SDK sends it on the connection URL; the room refuses the seat without it.
   */
  reconnectionToken?: string | undefined;
}

/**
 * Server → one client `handoff`: this room is moving to another instance (it
 * is draining, or being rebalanced). The client joins the given seat, where
 * its player already is with the same session id, position, health and
 * score, then leaves this room. Clients that do not follow are disconnected
 * when the hand-off ends.
 */
export interface HandoffEvent {
  reservation: SeatReservation;
}

/**
 * Server → clients `serverClosing`: the instance is shutting down and no other
 * instance can take the room. The scoreboard is the round's final result; it
 * is kept on the server too.
 */
export interface ServerClosingEvent {
  message: string;
  round: number;
  rows: ScoreRow[];
}

/** Server → the shooter only `hit`: the server judged its projectile a hit (the hit marker, and the verdict on a predicted shot). */
export interface HitEvent {
  /** The projectile's key in the state's `projectiles`. */
  projectileId: string;
  victimId: string;
  /** The victim's hp after the hit (0: the hit killed). */
  victimHp: number;
}

/**
 * Server → one client `inputPace`: run the input clock at `rateScale` times
 * the nominal rate (one input per fixed step), so this client's queue of
 * unprocessed inputs on the server stays near one step. Sent when the rate
 * should change, at most once a second; 1 means nominal.
 */
export interface InputPace {
  /** Between `INPUT_RATE_SCALE_MIN` (0.95) and `INPUT_RATE_SCALE_MAX` (1.05). */
  rateScale: number;
}

/** Options a client passes to `joinOrCreate('arena', …)`. */
export interface JoinOptions {
  name: string;
  /**
   * The browser's leaderboard identity (32 lowercase hex digits, kept in
   * local storage; see `leaderboard.ts`). Absent (bots): the player is on no board.
   */
  identity?: string;
}

/**
 * HTTP endpoints of private rooms (JSON). `POST /invites` makes a private
 * arena room and its code; `GET /invites/<code>` answers the room the code
 * leads to (404 when the room has closed; 429 past the per-address rate).
 */
export const InviteRoute = {
  Create: '/invites',
  /** Followed by `/<code>`. */
  Lookup: '/invites',
} as const;

/** `POST /invites` → 201. */
export interface InviteCreated {
  code: string;
  roomId: string;
}

/** `GET /invites/<code>` → 200. */
export interface InviteLookup {
  roomId: string;
}

/** Any endpoint's refusal body. */
export interface HttpError {
  error: string;
  /** On 429: seconds until the address may ask again. */
  retryAfterS?: number;
}

/** Room listing metadata the arena publishes for the lobby. */
export interface ArenaMetadata {
  mapId: string;
  round: number;
  phase: number;
  /** Wall-clock time (ms since the Unix epoch) when the current phase ends. */
  phaseEndsAtEpochMs: number;
  /**
   * Players in the room and its player cap. The listing's own `clients` and
   * `maxClients` count spectators too (Colyseus counts every connection).
   */
  players: number;
  maxPlayers: number;
  /** Spectators watching, and their own cap (0: the room takes none). */
  spectators: number;
  maxSpectators: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators and bidi overrides.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** Validate the join options: `name` NFKC-normalised, trimmed, 1–16 characters, letters/digits/space/`_-.`; `identity`, when given, 32 lowercase hex digits. */
export function parseJoinOptions(options: unknown): Parsed<JoinOptions> {
  if (typeof options !== 'object' || options === null)
    return { ok: false, error: 'join options must be an object with a name' };
  const raw = (options as { name?: unknown }).name;
  if (typeof raw !== 'string') return { ok: false, error: 'name is required and must be a string' };
  const name = normalizeName(raw);
  const length = [...name].length;
  if (length < NAME_MIN_LENGTH || length > NAME_MAX_LENGTH) {
    return { ok: false, error: `name must be ${NAME_MIN_LENGTH} to ${NAME_MAX_LENGTH} characters` };
  }
  if (!NAME_PATTERN.test(name)) return { ok: false, error: 'name may contain only letters, digits, spaces and _ - .' };
  const rawIdentity = (options as { identity?: unknown }).identity;
  if (rawIdentity === undefined) return { ok: true, value: { name } };
  const identity = parseIdentity(rawIdentity);
  if (!identity.ok) return identity;
  return { ok: true, value: { name, identity: identity.value } };
}

/** Validate a chat request: control characters stripped, whitespace folded, 1–140 characters. */
export function parseChat(payload: unknown): Parsed<ChatRequest> {
  if (typeof payload !== 'object' || payload === null)
    return { ok: false, error: 'chat must be an object with a text' };
  const raw = (payload as { text?: unknown }).text;
  if (typeof raw !== 'string') return { ok: false, error: 'chat text must be a string' };
  if (raw.length > CHAT_MAX_LENGTH * 4)
    return { ok: false, error: `chat text is longer than ${CHAT_MAX_LENGTH} characters` };
  const text = raw.replace(CONTROL_CHARS, '').replace(/\s+/gu, ' ').trim();
  if (text.length === 0) return { ok: false, error: 'chat text is empty' };
  if ([...text].length > CHAT_MAX_LENGTH)
    return { ok: false, error: `chat text is longer than ${CHAT_MAX_LENGTH} characters` };
  return { ok: true, value: { text } };
}

/** Validate an `inputPace` message (clients check what the server sends too: a bad one is ignored, not obeyed). */
export function parseInputPace(payload: unknown): Parsed<InputPace> {
  if (typeof payload !== 'object' || payload === null)
    return { ok: false, error: 'inputPace must be an object with a rateScale' };
  const rateScale = (payload as { rateScale?: unknown }).rateScale;
  if (typeof rateScale !== 'number' || !Number.isFinite(rateScale))
    return { ok: false, error: 'inputPace rateScale must be a finite number' };
  if (rateScale < INPUT_RATE_SCALE_MIN || rateScale > INPUT_RATE_SCALE_MAX) {
    return { ok: false, error: `inputPace rateScale must be within ${INPUT_RATE_SCALE_MIN}–${INPUT_RATE_SCALE_MAX}` };
  }
  return { ok: true, value: { rateScale } };
}

/** Validate a `hit` message from the server. */
export function parseHit(payload: unknown): Parsed<HitEvent> {
  if (typeof payload !== 'object' || payload === null) return { ok: false, error: 'hit must be an object' };
  const { projectileId, victimId, victimHp } = payload as Record<string, unknown>;
  if (typeof projectileId !== 'string' || projectileId.length === 0 || projectileId.length > 32)
    return { ok: false, error: 'hit projectileId must be a short string' };
  if (typeof victimId !== 'string' || victimId.length === 0 || victimId.length > 64)
    return { ok: false, error: 'hit victimId must be a short string' };
  if (typeof victimHp !== 'number' || !Number.isFinite(victimHp))
    return { ok: false, error: 'hit victimHp must be a number' };
  return { ok: true, value: { projectileId, victimId, victimHp } };
}
