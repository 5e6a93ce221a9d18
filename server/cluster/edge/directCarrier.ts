/**
 * Edge channel messages over direct TCP between instances, one connection per
 * pair in the usual case: the first instance that has something to say dials
 * the other's advertised address, on its ordinary HTTP port, with an
 * `Upgrade: arena-edge` request carrying the cluster's shared secret; both
 * sides then use that connection both ways. Messages are framed as
 * `[length:u32][message]`. (If both dial at the same moment there are two
 * connections, each side sending on the one it registered first; order per
 * direction holds either way.)
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../logger.ts';
import { parseAddress } from '../address.ts';
import { CarrierEvents, type Carrier } from './carrier.ts';

/** Path of the peer upgrade request; never a room path (those have two segments). */
export const EDGE_UPGRADE_PATH = '/_arena/edge';
const PEER_HEADER = 'x-arena-peer';
const SECRET_HEADER = 'x-arena-secret';
/** A link with this much unsent data is a dead or stuck peer: cut it rather than buffer without bound. */
const MAX_PENDING_BYTES = 32 * 1024 * 1024;
/** Largest message accepted from a peer (a room's patch for every client of an edge fits many times over). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 3000;
const EMPTY = Buffer.alloc(0);

/** Finds where a peer listens (`host:port`), or undefined when it is not a live instance. */
export type PeerAddressLookup = (peer: string) => Promise<string | undefined>;

interface Link {
  peer: string;
  socket: net.Socket | Duplex;
  /** Messages queued while the dial is in progress. */
  queued: Buffer[] | undefined;
  closed: boolean;
}

export class DirectCarrier implements Carrier {
  private readonly events = new CarrierEvents();
  private readonly links = new Map<string, Link>();
  /** Every open link, including a peer's dial that crossed ours (read from, not sent on). */
  private readonly all = new Set<Link>();

  constructor(
    readonly self: string,
    private readonly secret: string,
    private readonly lookup: PeerAddressLookup,
    private readonly log: Logger,
  ) {}

  readonly ready = true;

  /** True for an upgrade request meant for {@link acceptUpgrade}. */
  static isPeerUpgrade(req: IncomingMessage): boolean {
    return req.url === EDGE_UPGRADE_PATH && req.headers.upgrade?.toLowerCase() === 'arena-edge';
  }

  /** Take a peer's dial (an upgrade {@link isPeerUpgrade} accepted); refuses a wrong secret with 403. */
  acceptUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const peer = req.headers[PEER_HEADER];
    const secret = req.headers[SECRET_HEADER];
    if (typeof peer !== 'string' || peer.length === 0 || peer.length > 64 || secret !== this.secret) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: arena-edge\r\nConnection: Upgrade\r\n\r\n');
    if (socket instanceof net.Socket) socket.setNoDelay(true);
    const link: Link = { peer, socket, queued: undefined, closed: false };
    this.all.add(link);
    if (!this.links.has(peer)) this.links.set(peer, link);
    this.read(link, head);
  }

  send(peer: string, message: Buffer): void {
    let link = this.links.get(peer);
    if (!link) link = this.dial(peer);
    const frame = Buffer.allocUnsafe(4 + message.length);
    frame.writeUInt32BE(message.length, 0);
    message.copy(frame, 4);
    if (link.queued) {
      link.queued.push(frame);
      return;
    }
    link.socket.write(frame);
    if (link.socket.writableLength > MAX_PENDING_BYTES) {
      this.log.warn('edge peer link too far behind; dropping it', { peer, pendingBytes: link.socket.writableLength });
      this.dropPeer(peer);
    }
  }

  onMessage(handler: (peer: string, message: Buffer) => void): void {
    this.events.onMessage(handler);
  }

  onPeerLost(handler: (peer: string) => void): void {
    this.events.onPeerLost(handler);
  }

  dropPeer(peer: string): void {
    const link = this.links.get(peer);
    if (link) this.end(link);
    else this.events.lost(peer);
  }

  pendingBytes(peer: string): number {
    return this.links.get(peer)?.socket.writableLength ?? 0;
  }

  async stop(): Promise<void> {
    for (const link of this.all) {
      link.closed = true;
      link.socket.destroy();
    }
    this.all.clear();
    this.links.clear();
  }

  private dial(peer: string): Link {
    const link: Link = { peer, socket: new net.Socket(), queued: [], closed: false };
    this.links.set(peer, link);
    this.all.add(link);
    void this.lookup(peer)
      .then((address) => {
        if (link.closed) return;
        if (!address) throw new Error('peer is not a live instance');
        const { host, port } = parseAddress(address);
        const socket = net.connect({ host, port });
        link.socket = socket;
        socket.setNoDelay(true);
        // A peer whose machine vanishes sends no FIN: keep-alive probes find out.
        socket.setKeepAlive(true, 5000);
        const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
        socket.once('connect', () => {
          socket.write(
            `GET ${EDGE_UPGRADE_PATH} HTTP/1.1\r\nHost: ${address}\r\nConnection: Upgrade\r\nUpgrade: arena-edge\r\n${PEER_HEADER}: ${this.self}\r\n${SECRET_HEADER}: ${this.secret}\r\n\r\n`,
          );
        });
        let response = Buffer.alloc(0);
        const onHead = (chunk: Buffer): void => {
          response = Buffer.concat([response, chunk]);
          const end = response.indexOf('\r\n\r\n');
          if (end === -1) {
            if (response.length > 4096) socket.destroy(new Error('bad upgrade response'));
            return;
          }
          clearTimeout(timer);
          socket.off('data', onHead);
          if (!response.subarray(0, end).toString('latin1').startsWith('HTTP/1.1 101')) {
            socket.destroy(
              new Error(`peer refused the link: ${response.subarray(0, Math.min(end, 80)).toString('latin1')}`),
            );
            return;
          }
          const queued = link.queued ?? [];
          link.queued = undefined;
          // What waited for the dial leaves in one write.
          socket.cork();
          for (const frame of queued) socket.write(frame);
          socket.uncork();
          this.read(link, response.subarray(end + 4));
        };
        socket.on('data', onHead);
        socket.on('error', (error) => {
          clearTimeout(timer);
          if (!link.closed) this.log.warn('edge peer link failed', { peer, error: error.message });
          this.end(link);
        });
        socket.on('close', () => this.end(link));
      })
      .catch((error: unknown) => {
        this.log.warn('cannot reach edge peer', {
          peer,
          error: error instanceof Error ? error.message : String(error),
        });
        this.end(link);
      });
    return link;
  }

  /** Parse `[length][message]` frames off the link until it closes. */
  private read(link: Link, head: Buffer): void {
    let buffered = head;
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      let at = 0;
      while (buffered.length - at >= 4) {
        const length = buffered.readUInt32BE(at);
        if (length > MAX_MESSAGE_BYTES) {
          this.log.warn('edge peer sent an oversized message; dropping the link', { peer: link.peer, bytes: length });
          this.end(link);
          return;
        }
        if (buffered.length - at - 4 < length) break;
        const message = buffered.subarray(at + 4, at + 4 + length);
        at += 4 + length;
        if (!link.closed) this.events.message(link.peer, message);
      }
      buffered = at === buffered.length ? EMPTY : buffered.subarray(at);
    };
    link.socket.on('data', onData);
    link.socket.on('error', () => this.end(link));
    link.socket.on('close', () => this.end(link));
    if (head.length > 0) onData(EMPTY);
  }

  private end(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    link.socket.destroy();
    this.all.delete(link);
    if (this.links.get(link.peer) === link) this.links.delete(link.peer);
    this.events.lost(link.peer);
  }
}
