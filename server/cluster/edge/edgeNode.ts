/**
 * Over 300 lines on purpose: one edge connection's whole life (accept,
 * frames both ways, peer loss, pings, drop) in one class; the wire format,
 * the sender, the owner's side and the carriers have files of their own.
 *
 * Edge fan-out: any instance serves any room without carrying sockets byte
 * for byte. The instance that receives a client's room WebSocket (the
 * *edge*) completes the handshake and keeps the socket; the room's owner
 * sees the player as a {@link RemoteClient}. Between the two, one channel
 * per pair of instances (a {@link Carrier}) carries, per event-loop turn, one
 * message with everything queued for that peer:
 *
 * - edge → owner: new connections, every client frame of the turn (inputs
 *   batched), closes and socket errors;
 * - owner → edge: frames for its clients, where a broadcast (a state patch,
 *   a kill-feed line) crosses once with its list of recipients, and closes.
 *
 * Limits hold at the edge, before anything crosses: frame size (the `ws`
 * server's `maxPayload`), frames per second, and a bounded send buffer per
 * socket (a slow reader is dropped; its seat is held for reconnection).
 * A lost peer ends its connections: an edge's players drop on the owner
 * (seat held), an owner's players are closed with 4010, which the SDK
 * retries on.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from '@colyseus/core';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../logger.ts';
import type { Carrier } from './carrier.ts';
import { ChannelSender } from './sender.ts';
import { decodeMessage, Op, type OpenRequest } from './protocol.ts';
import { RemoteClients } from './remoteClients.ts';

/** Figures for `/metrics` (see `server/metrics.ts`). */
export interface EdgeStats {
  /** Channel messages and their bytes, per peer. */
  readonly sent: Map<string, { messages: number; bytes: number }>;
  readonly received: Map<string, { messages: number; bytes: number }>;
  /** Client frames carried by fan-out operations, and those operations: frames / ops = recipients per fanned-out frame. */
  fanoutFrames: number;
  fanoutOps: number;
  /** Client sockets this instance holds for rooms owned elsewhere. */
  edgeSockets: number;
  /** Clients of rooms here whose sockets are held by other instances. */
  remoteClients: number;
  /** Edge connections ever opened, and those that failed or were cut by a lost peer. */
  opened: number;
  failed: number;
}

export interface EdgeOptions {
  /** Largest frame a client may send, in bytes (default 16 KiB). */
  maxFrameBytes?: number;
  /** Frames a client may send per second before the edge cuts it (4002); default 240, above the room's own limit. */
  maxFramesPerSecond?: number;
  /** Bytes waiting in a client socket's send buffer before the edge drops that slow reader; default 1 MiB. */
  maxSocketBufferBytes?: number;
  /** WebSocket ping period for edge sockets, in ms; an unanswered socket is dropped after two (default 3000, as Colyseus). */
  pingIntervalMs?: number;
  /**
   * Least time between two channel messages to one peer, in ms; default 0
   * (every turn's operations cross at the end of that turn). Frames that
   * reach an edge in different turns (players' inputs) or leave an owner in
   * different turns (rooms tick on their own timers) then share a message
   * once traffic is dense, at most this much later; a lone message still
   * leaves at once. New connections and closes never wait: a message
   * carrying one leaves at the end of its turn with whatever waits.
   */
  minMessageGapMs?: number;
}

interface EdgeConn {
  id: number;
  ws: WebSocket;
  owner: string;
  framesThisSecond: number;
  secondStartedAt: number;
  missedPings: number;
}

const RESERVED_CLOSE_CODES = new Set([1004, 1005, 1006, 1015]);
/** Request headers the owner gets: the ones its rooms and auth may read, none of the WebSocket handshake. */
const DROPPED_HEADERS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

export class EdgeNode {
  readonly stats: EdgeStats = {
    sent: new Map(),
    received: new Map(),
    fanoutFrames: 0,
    fanoutOps: 0,
    edgeSockets: 0,
    remoteClients: 0,
    opened: 0,
    failed: 0,
  };
  private readonly wss: WebSocketServer;
  /** Edge role: sockets held here, by connection id. */
  private readonly conns = new Map<number, EdgeConn>();
  /** Owner role: the clients of rooms here whose sockets other instances hold. */
  private readonly remote: RemoteClients;
  private readonly sender: ChannelSender;
  private nextConn = 1;
  private readonly maxFramesPerSecond: number;
  private readonly maxSocketBufferBytes: number;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly carrier: Carrier,
    private readonly log: Logger,
    options: EdgeOptions = {},
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes ?? 16 * 1024,
      perMessageDeflate: false,
    });
    this.maxFramesPerSecond = options.maxFramesPerSecond ?? 240;
    this.maxSocketBufferBytes = options.maxSocketBufferBytes ?? 1024 * 1024;
    this.sender = new ChannelSender(carrier, this.stats, options.minMessageGapMs ?? 0);
    this.remote = new RemoteClients(
      { outbox: (peer) => this.sender.outbox(peer), schedule: () => this.sender.schedule() },
      this.stats,
    );
    carrier.onMessage((peer, message) => this.receive(peer, message));
    carrier.onPeerLost((peer) => this.peerLost(peer));
    this.pinger = setInterval(() => this.ping(), options.pingIntervalMs ?? 3000);
    this.pinger.unref();
  }

  /** Peers this instance has connections with, either way. */
  peers(): Set<string> {
    const peers = new Set(this.remote.peers());
    for (const conn of this.conns.values()) peers.add(conn.owner);
    return peers;
  }

  /** The `ws` server edge sockets come from (for frame metering). */
  get socketServer(): WebSocketServer {
    return this.wss;
  }

  /** Edge role: complete a room WebSocket's handshake here and carry the player to `owner`. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, owner: string, remoteAddress: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const id = this.nextConn;
      this.nextConn = this.nextConn >= 0xffffffff ? 1 : this.nextConn + 1;
      const conn: EdgeConn = { id, ws, owner, framesThisSecond: 0, secondStartedAt: Date.now(), missedPings: 0 };
      this.conns.set(id, conn);
      this.wss.emit('connection', ws, req);
      this.stats.opened += 1;
      this.stats.edgeSockets += 1;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (!DROPPED_HEADERS.has(name) && value !== undefined)
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const request: OpenRequest = { url: req.url ?? '/', headers, remoteAddress };
      this.sender.outbox(owner).open(id, request);
      ws.on('message', (data: Buffer) => this.fromClient(conn, data));
      ws.on('pong', () => (conn.missedPings = 0));
      ws.on('error', (error: Error & { code?: string }) => {
        if (this.conns.get(id) !== conn || !error.code?.startsWith('WS_ERR_')) return;
        this.sender.outbox(owner).upError(id, error.code);
        this.sender.schedule();
      });
      ws.on('close', (code: number, reason: Buffer) => {
        if (this.conns.get(id) !== conn) return;
        this.drop(conn);
        this.sender.outbox(owner).upClose(id, code, reason.toString('utf8'));
        this.sender.schedule();
      });
      this.sender.schedule();
    });
  }

  /** Stop: every edge socket is closed with 4010 (retry elsewhere), every remote client dropped. */
  async stop(): Promise<void> {
    clearInterval(this.pinger);
    for (const conn of [...this.conns.values()]) {
      this.drop(conn);
      conn.ws.close(CloseCode.MAY_TRY_RECONNECT, 'instance stopping; retry');
    }
    this.remote.dropAll();
    this.sender.flush(true);
  }

  private fromClient(conn: EdgeConn, data: Buffer): void {
    const now = Date.now();
    if (now - conn.secondStartedAt >= 1000) {
      conn.secondStartedAt = now;
      conn.framesThisSecond = 0;
    }
    conn.framesThisSecond += 1;
    if (conn.framesThisSecond > this.maxFramesPerSecond) {
      this.log.warn('edge cut a client flooding frames', { conn: conn.id, limitPerS: this.maxFramesPerSecond });
      this.drop(conn);
      this.sender.outbox(conn.owner).upClose(conn.id, CloseCode.WITH_ERROR, 'flood');
      this.sender.schedule();
      conn.ws.close(CloseCode.WITH_ERROR, 'too many frames');
      return;
    }
    this.sender.outbox(conn.owner).up(conn.id, data);
    this.sender.schedule();
  }

  private toClient(id: number, frame: Uint8Array): void {
    const conn = this.conns.get(id);
    if (!conn) return;
    conn.ws.send(frame);
    if (conn.ws.bufferedAmount > this.maxSocketBufferBytes) {
      this.log.warn('edge dropped a client that does not read', { conn: id, bufferedBytes: conn.ws.bufferedAmount });
      this.drop(conn);
      this.sender.outbox(conn.owner).upClose(id, CloseCode.ABNORMAL_CLOSURE, 'slow reader');
      this.sender.schedule();
      conn.ws.terminate();
    }
  }

  private receive(peer: string, message: Buffer): void {
    const counted = this.stats.received.get(peer) ?? { messages: 0, bytes: 0 };
    counted.messages += 1;
    counted.bytes += message.length;
    this.stats.received.set(peer, counted);
    let ops: ReturnType<typeof decodeMessage>;
    try {
      ops = decodeMessage(message);
    } catch (error) {
      this.log.warn('malformed edge message; dropping the peer', { peer, error });
      this.carrier.dropPeer(peer);
      return;
    }
    for (const op of ops) {
      switch (op.op) {
        case Op.OPEN:
          this.remote.open(peer, op.conn, op.request);
          break;
        case Op.UP:
          this.remote.get(peer, op.conn)?.emit('message', op.bytes);
          break;
        case Op.UP_CLOSE:
          this.remote.get(peer, op.conn)?.closed(op.code, op.reason);
          break;
        case Op.UP_ERROR:
          this.remote.get(peer, op.conn)?.emit('error', Object.assign(new Error(op.code), { code: op.code }));
          break;
        case Op.DOWN:
          this.toClient(op.conn, op.bytes);
          break;
        case Op.FANOUT:
          for (const id of op.conns) this.toClient(id, op.bytes);
          break;
        case Op.TIMED:
          for (let i = 0; i < op.conns.length; i++) this.toClient(op.conns[i]!, op.frames[i]!);
          break;
        case Op.SHUT: {
          const conn = this.conns.get(op.conn);
          if (!conn) break;
          this.drop(conn);
          if (RESERVED_CLOSE_CODES.has(op.code)) conn.ws.terminate();
          else conn.ws.close(op.code, op.reason);
          break;
        }
      }
    }
  }

  /** Owner role: see {@link RemoteClients.retireReplaced}. */
  retireReplaced(url: string): void {
    this.remote.retireReplaced(url);
  }

  private peerLost(peer: string): void {
    let cut = 0;
    for (const conn of [...this.conns.values()]) {
      if (conn.owner !== peer) continue;
      this.drop(conn);
      conn.ws.close(CloseCode.MAY_TRY_RECONNECT, 'room host unavailable; retry');
      cut += 1;
    }
    this.stats.failed += cut;
    const remote = this.remote.dropPeer(peer);
    this.sender.forget(peer);
    if (cut + remote > 0)
      this.log.warn('edge peer lost; its connections ended', { peer, edgeSockets: cut, remoteClients: remote });
  }

  private drop(conn: EdgeConn): void {
    if (this.conns.get(conn.id) !== conn) return;
    this.conns.delete(conn.id);
    this.stats.edgeSockets -= 1;
  }

  private ping(): void {
    // A flush is scheduled only for a close queued here: an idle edge, or one whose sockets all answer, sends nothing.
    let queued = false;
    for (const conn of [...this.conns.values()]) {
      if (conn.missedPings >= 2) {
        this.drop(conn);
        this.sender.outbox(conn.owner).upClose(conn.id, CloseCode.ABNORMAL_CLOSURE, 'unresponsive');
        conn.ws.terminate();
        queued = true;
        continue;
      }
      conn.missedPings += 1;
      conn.ws.ping();
    }
    if (queued) this.sender.schedule();
  }
}
