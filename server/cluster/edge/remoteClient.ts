/**
 * On a room's owner, a player whose WebSocket is held by another instance
 * (the edge). To Colyseus it is an ordinary {@link Client}, joined through
 * `connectClientToRoom` as a transport would; its `ref` is a socket-like
 * object whose frames travel over the edge channel instead of TCP.
 */
import { EventEmitter } from 'node:events';
import {
  ClientState,
  CloseCode,
  connectClientToRoom,
  createAuthContext,
  enqueueClientRaw,
  getMessageBytes,
  matchMaker,
  Protocol,
  type Client,
  type ClientPrivate,
  type ISendOptions,
} from '@colyseus/core';
import { TransportClientFields } from '../../colyseusInternals.ts';
import type { OpenRequest } from './protocol.ts';

/** WebSocket ready states, as `ws` numbers them. */
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Where a remote socket's outbound frames and closes go (the owner side of the edge node). */
export interface RemoteSink {
  down(peer: string, conn: number, bytes: Uint8Array): void;
  shut(peer: string, conn: number, code: number, reason: string): void;
  forget(peer: string, conn: number): void;
}

/**
 * The owner's stand-in for a client socket held by an edge: emits `message`,
 * `close` and `error` like a `ws` socket, and its `send`/`close` become
 * channel operations.
 */
export class RemoteSocket extends EventEmitter {
  readyState = OPEN;

  constructor(
    readonly peer: string,
    readonly conn: number,
    readonly sessionId: string,
    private readonly sink: RemoteSink,
  ) {
    super();
  }

  send(data: Uint8Array, _options?: unknown, cb?: (error?: Error) => void): void {
    if (this.readyState !== OPEN) {
      cb?.(new Error('socket is not open'));
      return;
    }
    this.sink.down(this.peer, this.conn, data);
    if (cb) queueMicrotask(() => cb());
  }

  /** Close from this side: the edge closes the client's socket with `code`. */
  close(code: number = CloseCode.NORMAL_CLOSURE, reason = ''): void {
    if (this.readyState !== OPEN) return;
    this.readyState = CLOSING;
    this.sink.shut(this.peer, this.conn, code, reason);
    setImmediate(() => this.closed(code, reason));
  }

  /** Drop at once (no close handshake): the edge terminates the client's socket. */
  terminate(): void {
    this.close(CloseCode.ABNORMAL_CLOSURE, '');
  }

  /** The client's socket closed at the edge (or the edge was lost). */
  closed(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.sink.forget(this.peer, this.conn);
    this.emit('close', code, Buffer.from(reason));
  }
}

const SEND_OPTS = { binary: true };

/** A Colyseus client whose socket is a {@link RemoteSocket}; mirrors `@colyseus/ws-transport`'s client. */
export class RemoteClient extends TransportClientFields implements Client, ClientPrivate {
  declare '~messages': Client['~messages'];
  state: ClientState = ClientState.JOINING;
  reconnectionToken = '';
  readonly id: string;

  constructor(
    readonly sessionId: string,
    readonly ref: RemoteSocket,
  ) {
    super();
    this.id = sessionId;
  }

  get readyState(): number {
    return this.ref.readyState;
  }

  sendBytes(type: string | number, bytes: Buffer | Uint8Array, options?: ISendOptions): void {
    this.enqueueRaw(getMessageBytes.raw(Protocol.ROOM_DATA_BYTES, type, undefined, bytes), options);
  }

  send(type: string | number | symbol, message?: unknown, options?: ISendOptions): void {
    this.enqueueRaw(getMessageBytes.raw(Protocol.ROOM_DATA, type as string | number, message), options);
  }

  enqueueRaw(data: Uint8Array | Buffer, options?: ISendOptions): void {
    enqueueClientRaw(this, data, options);
  }

  raw(data: Uint8Array | Buffer, _options?: ISendOptions, cb?: (error?: Error) => void): void {
    this.ref.send(data, SEND_OPTS, cb);
  }

  error(code: number, message = '', cb?: (error?: Error) => void): void {
    this.raw(getMessageBytes[Protocol.ERROR](code, message), undefined, cb);
  }

  leave(code?: number, data?: string): void {
    this.ref.close(code, data);
  }

  close(code?: number, data?: string): void {
    this.leave(code, data);
  }

  toJSON(): { sessionId: string; readyState: number } {
    return { sessionId: this.sessionId, readyState: this.readyState };
  }
}

const ROOM_PATH = /^\/[a-zA-Z0-9_-]+\/([a-zA-Z0-9_-]+)$/u;

/** The session id and reconnection token an OPEN's URL carries. */
export function sessionOf(request: OpenRequest): { sessionId: string; reconnectionToken: string | undefined } {
  const url = new URL(request.url, 'http://edge.invalid');
  return {
    sessionId: url.searchParams.get('sessionId') ?? '',
    reconnectionToken: url.searchParams.get('reconnectionToken') ?? undefined,
  };
}

/**
 * Seat a client an edge opened, as `@colyseus/ws-transport` seats a socket
 * it accepted: the room must hold a seat for its session id; anything wrong
 * is sent to the client as a Colyseus error, then the socket closes.
 */
export async function seatRemoteClient(client: RemoteClient, request: OpenRequest): Promise<RemoteClient | undefined> {
  const socket = client.ref;
  const url = new URL(request.url, 'http://edge.invalid');
  const roomId = ROOM_PATH.exec(url.pathname)?.[1];
  const reconnectionToken = url.searchParams.get('reconnectionToken') ?? undefined;
  try {
    const room = roomId === undefined ? undefined : matchMaker.getLocalRoomById(roomId);
    const context = createAuthContext({
      headers: request.headers,
      token: url.searchParams.get('_authToken') ?? undefined,
      remoteAddress: request.remoteAddress,
    });
    await connectClientToRoom(room as never, client, context, {
      reconnectionToken: reconnectionToken as string,
      skipHandshake: url.searchParams.has('skipHandshake'),
    });
    return client;
  } catch (error) {
    const { code, message } = error as { code?: number; message?: string };
    client.error(code ?? CloseCode.WITH_ERROR, message ?? 'could not join', () =>
      socket.close(reconnectionToken !== undefined ? CloseCode.FAILED_TO_RECONNECT : CloseCode.WITH_ERROR),
    );
    return undefined;
  }
}
