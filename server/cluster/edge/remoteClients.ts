/**
 * The owner role of the edge channel: clients of this instance's rooms whose
 * sockets another instance (their edge) holds. Each is a {@link RemoteClient}
 * seated through `connectClientToRoom`; what it sends becomes channel
 * operations back to its edge.
 */
import { CloseCode } from '@colyseus/core';
import type { EdgeStats } from './edgeNode.ts';
import type { Outbox } from './outbox.ts';
import type { OpenRequest } from './protocol.ts';
import { RemoteClient, RemoteSocket, seatRemoteClient, sessionOf, type RemoteSink } from './remoteClient.ts';

/** What the owner role needs of the node: each peer's outbox for this turn, and a flush at its end. */
export interface Channel {
  outbox(peer: string): Outbox;
  schedule(): void;
}

export class RemoteClients implements RemoteSink {
  /** Stand-ins for sockets held by each peer, by the peer's connection id. */
  private readonly byPeer = new Map<string, Map<number, RemoteSocket>>();
  /** The remote client of each session, to retire a socket its own reconnection replaces. */
  private readonly sessions = new Map<string, RemoteClient>();

  constructor(
    private readonly channel: Channel,
    private readonly stats: EdgeStats,
  ) {}

  peers(): Iterable<string> {
    return this.byPeer.keys();
  }

  get(peer: string, conn: number): RemoteSocket | undefined {
    return this.byPeer.get(peer)?.get(conn);
  }

  /** A peer opened a connection for one of our rooms: seat it as that room's transport would. */
  open(peer: string, conn: number, request: OpenRequest): void {
    let sockets = this.byPeer.get(peer);
    if (!sockets) {
      sockets = new Map();
      this.byPeer.set(peer, sockets);
    }
    if (sockets.has(conn) || typeof request?.url !== 'string') return;
    const open: OpenRequest = {
      url: request.url,
      headers: request.headers ?? {},
      remoteAddress: String(request.remoteAddress ?? ''),
    };
    const { sessionId } = sessionOf(open);
    this.retireReplaced(open.url);
    const socket = new RemoteSocket(peer, conn, sessionId, this);
    sockets.set(conn, socket);
    this.stats.remoteClients += 1;
    const client = new RemoteClient(sessionId, socket);
    void seatRemoteClient(client, open).then((seated) => {
      if (seated && socket.readyState === 1) this.sessions.set(sessionId, seated);
    });
  }

  /**
   * A reconnection (`url` of its upgrade, through an edge or this instance's
   * own transport) proves the session's previous socket is dead, even when
   * the edge that held it has not been found dead yet (over Redis that takes
   * seconds, longer than Colyseus waits for a stale socket to go): retire that
   * socket now, so the held seat is free for this one. Only with the
   * session's own reconnection token.
   */
  retireReplaced(url: string): void {
    const { sessionId, reconnectionToken } = sessionOf({ url, headers: {}, remoteAddress: '' });
    const previous = this.sessions.get(sessionId);
    if (previous && reconnectionToken !== undefined && previous.reconnectionToken === reconnectionToken) {
      previous.ref.closed(CloseCode.ABNORMAL_CLOSURE, 'replaced by its reconnection');
    }
  }

  /** The peer is gone: its clients drop (Colyseus holds their seats). Returns how many. */
  dropPeer(peer: string): number {
    const sockets = this.byPeer.get(peer);
    if (!sockets) return 0;
    const count = sockets.size;
    // Each close forgets its socket (counts and session index included).
    for (const socket of [...sockets.values()]) socket.closed(CloseCode.ABNORMAL_CLOSURE, 'edge lost');
    this.byPeer.delete(peer);
    return count;
  }

  dropAll(): void {
    for (const peer of [...this.byPeer.keys()]) this.dropPeer(peer);
  }

  down(peer: string, conn: number, bytes: Uint8Array): void {
    this.channel.outbox(peer).down(conn, bytes);
    this.channel.schedule();
  }

  shut(peer: string, conn: number, code: number, reason: string): void {
    this.channel.outbox(peer).shut(conn, code, reason);
    this.channel.schedule();
  }

  forget(peer: string, conn: number): void {
    const sockets = this.byPeer.get(peer);
    const socket = sockets?.get(conn);
    if (!socket) return;
    sockets!.delete(conn);
    this.stats.remoteClients -= 1;
    if (this.sessions.get(socket.sessionId)?.ref === socket) this.sessions.delete(socket.sessionId);
  }
}
