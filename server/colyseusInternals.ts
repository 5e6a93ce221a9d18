/**
 * Every use of a Colyseus server member that is not public API, in one
 * place. Each helper says what it relies on, and {@link checkColyseusInternals}
 * (run at boot by `buildApp`) checks those shapes on the installed Colyseus,
 * so a release that renames one fails the start with a message naming the
 * version instead of silently turning a guard off. Nothing outside this file
 * casts a Colyseus object to reach its privates.
 */
import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import { createRequire } from 'node:module';
import type { Client, ClientPrivate, Room } from '@colyseus/core';
import { Room as ColyseusRoom } from '@colyseus/core';
import type { WebSocketTransport } from '@colyseus/ws-transport';
import type { WebSocketServer } from 'ws';
import type { ReservedSeat } from './rooms/seats.ts';

/** The Colyseus release these shapes were read from. */
export const WRITTEN_FOR_COLYSEUS = '0.18.17';

/** The installed `@colyseus/core` version, for error messages. */
export function installedColyseusVersion(): string {
  try {
    return (createRequire(import.meta.url)('@colyseus/core/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** A Colyseus private member this server relies on is missing or has changed shape. */
export class ColyseusInternalsError extends Error {
  constructor(what: string, version = installedColyseusVersion()) {
    super(
      `Colyseus internals changed: ${what}. Installed @colyseus/core ${version}; this server was written ` +
        `against ${WRITTEN_FOR_COLYSEUS}. Update server/colyseusInternals.ts for this version.`,
    );
    this.name = 'ColyseusInternalsError';
  }
}

/** A room's inbound frame dispatch (`Room._onMessage`). */
export type FrameDispatch = (client: Client, frame: Uint8Array) => void;

/** The socket behind a client (`client.ref`): a `ws` WebSocket, or the edge's stand-in. */
export type ClientSocket = EventEmitter & { terminate?(): void };

interface RoomPrivate {
  _onMessage: FrameDispatch;
  _reserveSeat(sessionId: string, joinOptions: unknown): Promise<boolean>;
  _reservedSeats: Record<string, ReservedSeat>;
}

interface TransportPrivate {
  wss: WebSocketServer;
}

const roomPrivate = (room: object): RoomPrivate => room as RoomPrivate;

/** What each shape check looks at; exported for the tests, which feed it wrong shapes. */
export interface InternalsSubjects {
  /** `Room.prototype` (or a stand-in). */
  roomPrototype: object;
  /** A freshly constructed room. */
  room: object;
  /** The WebSocket transport the server will use, when there is one. */
  transport?: object;
}

/**
 * Check every shape this module relies on; throws {@link ColyseusInternalsError}
 * naming the first that does not hold. Call once at boot, before any room exists.
 */
export function checkColyseusInternals(
  subjects: InternalsSubjects = { roomPrototype: ColyseusRoom.prototype, room: new ColyseusRoom() },
  version = installedColyseusVersion(),
): void {
  const proto = subjects.roomPrototype as Partial<RoomPrivate>;
  // Only its presence: @colyseus/testing and simulated latency wrap it in functions of other arities.
  if (typeof proto._onMessage !== 'function')
    throw new ColyseusInternalsError(
      'Room.prototype._onMessage(client, frame) is gone (the frame guard wraps it)',
      version,
    );
  if (typeof proto._reserveSeat !== 'function')
    throw new ColyseusInternalsError(
      'Room.prototype._reserveSeat is gone (spectator seats are reserved with it)',
      version,
    );
  const seats = (subjects.room as Partial<RoomPrivate>)._reservedSeats;
  if (typeof seats !== 'object' || seats === null || Array.isArray(seats))
    throw new ColyseusInternalsError('a room has no _reservedSeats record (seat counting reads it)', version);
  if (subjects.transport !== undefined) {
    const wss = (subjects.transport as Partial<TransportPrivate>).wss;
    if (typeof wss?.handleUpgrade !== 'function' || typeof wss.on !== 'function')
      throw new ColyseusInternalsError(
        'WebSocketTransport has no ws server in .wss (upgrades and metering use it)',
        version,
      );
  }
}

/**
 * Put `wrap(dispatch)` in front of `room`'s frame dispatch. Colyseus binds
 * `_onMessage` to each client's socket when the client joins, so replacing
 * it on the instance before anyone joins covers every client of the room.
 */
export function wrapFrameDispatch(room: Room, wrap: (dispatch: FrameDispatch) => FrameDispatch): void {
  const target = roomPrivate(room);
  target._onMessage = wrap(target._onMessage.bind(room));
}

/** A room's seat reservations (`Room._reservedSeats`); Colyseus offers no public view. Read only. */
export function reservedSeatsOf(room: Room): Readonly<Record<string, ReservedSeat>> {
  return roomPrivate(room)._reservedSeats;
}

/**
 * Reserve a seat in `room` for `sessionId` as matchmaking does
 * (`Room._reserveSeat`), bypassing the room's own full check: the caller has
 * done its own admission (see `rooms/spectators.ts`). False when refused.
 */
export function reserveSeat(room: Room, sessionId: string, joinOptions: unknown): Promise<boolean> {
  return roomPrivate(room)._reserveSeat(sessionId, joinOptions);
}

/** The socket behind `client` (`client.ref`). */
export function clientSocket(client: Client): ClientSocket {
  return client.ref as ClientSocket;
}

/**
 * When Colyseus last decoded an input from `client`
 * (`ClientPrivate._lastInputReceivedAt`, performance.now() ms): an input
 * frame that leaves it unchanged did not decode.
 */
export function lastInputReceivedAt(client: Client): number | undefined {
  return (client as Client & ClientPrivate)._lastInputReceivedAt;
}

/** The `ws` server inside a Colyseus WebSocket transport (protected `wss`), from which every room socket comes. */
export function transportSocketServer(transport: WebSocketTransport): WebSocketServer {
  return (transport as unknown as TransportPrivate).wss;
}

/**
 * The fields Colyseus keeps on every transport's client (`ClientPrivate`)
 * that a client class of our own (the edge's `RemoteClient`) must carry;
 * the framework sets them.
 */
export abstract class TransportClientFields implements Pick<ClientPrivate, '_enqueuedMessages' | '_joinedAt'> {
  _enqueuedMessages: Uint8Array[] = [];
  _joinedAt = 0;
}

/** The HTTP server a listening transport made for itself (`Transport.server`; never HTTPS here). */
export function transportHttpServer(transport: WebSocketTransport): http.Server | undefined {
  return transport.server as http.Server | undefined;
}
