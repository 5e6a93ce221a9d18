/**
 * The one Colyseus client of the page and the three ways into a room: quick
 * play, a room picked from the lobby list, and the lobby itself. Join names
 * are validated with the same `parseJoinOptions` the server runs, so a bad
 * name is refused before any request; the server still has the last word.
 */
import { Client, CloseCode, MatchMakeError, ServerError, type Room } from '@colyseus/sdk';
import { ArenaCloseCode, parseJoinOptions, type JoinOptions, type Parsed } from '../../shared/messages.ts';
import { ArenaState } from '../../shared/state.ts';
import { log } from '../log.ts';
import { reconnectSoon } from '../../netcode/reconnect.ts';
import { playerIdentity } from './leaderboard.ts';

/** A joined arena room with its state typed by the shared schema. */
export type ArenaRoom = Room<unknown, ArenaState>;

/** Options the lobby room reads: our name (for lobby chat) and the listing filter. */
interface LobbyJoinOptions {
  name?: string;
  filter: { name: string };
}

/** The page's connection to one game server: validated joins into arena rooms and the lobby. */
export class ArenaConnection {
  /** The SDK client; one per page so the SDK can share its HTTP settings. */
  readonly client: Client;

  constructor(readonly serverUrl: string) {
    this.client = new Client(serverUrl);
  }

  /** Validate a typed name the way the server will. */
  validateName(raw: string): Parsed<JoinOptions> {
    return parseJoinOptions({ name: raw });
  }

  /** Join the fullest open arena room, or create one. */
  async quickPlay(name: string): Promise<ArenaRoom> {
    const options = this.checked(name);
    const room: ArenaRoom = await this.client.joinOrCreate('arena', options, ArenaState);
    log.info('joined arena', { roomId: room.roomId, sessionId: room.sessionId });
    return reconnectSoon(room);
  }

  /** Join a specific arena room from the lobby list. */
  async joinRoom(roomId: string, name: string): Promise<ArenaRoom> {
    const options = this.checked(name);
    const room: ArenaRoom = await this.client.joinById(roomId, options, ArenaState);
    log.info('joined arena by id', { roomId: room.roomId, sessionId: room.sessionId });
    return reconnectSoon(room);
  }

  /**
   * Join the lobby. `name` labels our lobby chat lines; an invalid or empty
   * one is left out and the server calls us "guest".
   */
  async joinLobby(name: string): Promise<Room> {
    const options: LobbyJoinOptions = { filter: { name: 'arena' } };
    const parsed = parseJoinOptions({ name });
    if (parsed.ok) options.name = parsed.value.name;
    return this.client.joinOrCreate('lobby', options);
  }

  /** Validated options of an arena join; the identity credits our kills and wins on the leaderboard. */
  private checked(name: string): JoinOptions {
    const parsed = parseJoinOptions({ name, identity: playerIdentity() });
    if (!parsed.ok) throw new JoinRefused(parsed.error);
    return parsed.value;
  }
}

/** A join the client refused before asking the server (bad name). */
export class JoinRefused extends Error {
  override name = 'JoinRefused';
}

/**
 * A sentence a player can act on for any failure of a join: the server's own
 * message when it answered (a refused name, a full or vanished room), or that
 * the server could not be reached at all.
 */
export function describeJoinError(error: unknown, serverUrl: string): string {
  if (error instanceof JoinRefused) return capitalize(error.message);
  const unreachable = `Cannot reach the game server at ${serverUrl}. Is it running?`;
  if (error instanceof MatchMakeError || error instanceof ServerError) {
    // A network failure arrives wrapped too, with the socket error's string code (ECONNREFUSED) or none.
    const code: unknown = error.code;
    if (typeof code !== 'number' || NETWORK_FAILURE.test(error.message)) return unreachable;
    return `Server refused: ${error.message || `error ${code}`}`;
  }
  if (error instanceof TypeError) return unreachable;
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string' && error) return error;
  return 'Could not join: unknown error';
}

/** Why we are no longer in a room, from the socket's close code, in words a player understands. */
export function describeLeave(code: number, reason?: string): string {
  switch (code) {
    case CloseCode.CONSENTED:
      return 'The server closed the room.';
    case CloseCode.SERVER_SHUTDOWN:
      return 'The server is restarting. Quick Play to join another room.';
    case CloseCode.WITH_ERROR:
      return 'The room closed after a server error.';
    case ArenaCloseCode.Misbehaviour:
      return 'Disconnected: the server kept receiving invalid messages from this page.';
    case CloseCode.FAILED_TO_RECONNECT:
      return 'Lost the connection and could not get back in time; your seat was released.';
    default:
      return `Disconnected from the room (${code}${reason ? `: ${reason}` : ''}).`;
  }
}

const NETWORK_FAILURE = /failed to fetch|fetch failed|networkerror|load failed/iu;

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
