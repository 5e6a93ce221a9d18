/**
 * Byte tunnels over Redis pub/sub, for platforms where instances cannot reach
 * each other directly (Cloud Run). The instance that received a WebSocket
 * publishes the raw upgrade and every later chunk to the owner's channel; the
 * owner replays them into its own port on loopback and publishes the replies
 * back. One publisher connection and one subscriber connection per instance
 * keep every tunnel's chunks in order.
 *
 * Frame: [type:1][tunnelId:8][payload]. OPEN's payload is
 * [replyProcessIdLength:1][replyProcessId][raw request bytes].
 *
 * Frames to the same peer within one event-loop turn travel as one BATCH
 * message ([4][length:4][frame]…): a room's patch goes to all its clients in
 * the same turn, so the owner publishes once per peer and tick instead of
 * once per tunnelled client, and every hop parses one Redis message for all.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { ForwardStats } from './directForwarder.ts';

const OPEN = 1;
const DATA = 2;
const END = 3;
const BATCH = 4;
const ID_BYTES = 8;

/** Chunks published but not yet acknowledged by Redis before the source socket is paused. */
const MAX_IN_FLIGHT = 64;
/** A receiver this far behind is a dead or hostile peer: drop the tunnel rather than buffer without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** How long an outbound tunnel waits for the owner's first bytes before giving up, in milliseconds. */
const OPEN_ANSWER_TIMEOUT_MS = 3000;

const channelOf = (processId: string): string => `arena:tunnel:${processId}`;

interface Tunnel {
  id: Buffer;
  peer: string;
  socket: Duplex;
  inFlight: number;
  closed: boolean;
  /** Opened here for a client of ours (counted in the forwarding stats); false on the owner's side. */
  outbound: boolean;
  /** Pending until the owner's first bytes arrive (outbound tunnels only). */
  openTimer?: NodeJS.Timeout | undefined;
}

/** One message holding `frames` in order. */
function packBatch(frames: Buffer[]): Buffer {
  let size = 1;
  for (const f of frames) size += 4 + f.length;
  const out = Buffer.allocUnsafe(size);
  out[0] = BATCH;
  let at = 1;
  for (const f of frames) {
    out.writeUInt32BE(f.length, at);
    f.copy(out, at + 4);
    at += 4 + f.length;
  }
  return out;
}

export class RedisTunnel {
  private readonly tunnels = new Map<string, Tunnel>();
  /** Frames waiting for this turn's flush, per peer, in order, with the tunnels whose in-flight count they hold. */
  private readonly outbox = new Map<string, { frames: Buffer[]; tunnels: Tunnel[] }>();
  private flushScheduled = false;

  /**
   * @param pub connection used to publish (shared with nothing that blocks)
   * @param sub dedicated subscriber connection
   * @param selfProcessId this instance's Colyseus processId
   * @param localPort this instance's own HTTP port, where OPENs are replayed
   */
  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly selfProcessId: string,
    private readonly localPort: number,
    private readonly stats: ForwardStats,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() === channelOf(this.selfProcessId)) this.onFrame(message);
    });
    await this.sub.subscribe(channelOf(this.selfProcessId));
    // Without Redis no byte crosses a tunnel, and chunks queued meanwhile could
    // reach the far end before its subscription is back, tearing the stream.
    // Close them all: each client sees a drop and reconnects (to the room's
    // owner directly, or through a tunnel once Redis is back) into its held seat.
    const dropAll = (): void => {
      if (this.tunnels.size === 0) return;
      this.log.warn('Redis connection lost; closing tunnelled room connections so their clients reconnect', { tunnels: this.tunnels.size });
      for (const tunnel of [...this.tunnels.values()]) this.close(tunnel, false);
    };
    this.pub.on('close', dropAll);
    this.sub.on('close', dropAll);
  }

  /** Carry `client` (an upgrade request already read as `requestHead` + `head`) to `ownerProcessId`. */
  open(client: Duplex, ownerProcessId: string, requestHead: Buffer, head: Buffer): void {
    const id = randomBytes(ID_BYTES);
    const tunnel = this.track(id, ownerProcessId, client, true);
    // The owner answers an OPEN with the WebSocket handshake at once; silence
    // means the OPEN was lost (the owner was resubscribing after an outage).
    tunnel.openTimer = setTimeout(() => {
      this.stats.failed += 1;
      this.close(tunnel, true);
    }, OPEN_ANSWER_TIMEOUT_MS);
    const self = Buffer.from(this.selfProcessId, 'utf8');
    this.send(tunnel, OPEN, Buffer.concat([Buffer.from([self.length]), self, requestHead, head]));
    this.pump(tunnel);
  }

  /** True while both Redis connections are up, so an OPEN will be heard. */
  get ready(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  /** The instances this one has open tunnels with. */
  peers(): Set<string> {
    return new Set([...this.tunnels.values()].map((tunnel) => tunnel.peer));
  }

  /** Close every tunnel to a peer that died, so its clients reconnect instead of hanging. */
  closePeer(processId: string): void {
    for (const tunnel of this.tunnels.values()) if (tunnel.peer === processId) this.close(tunnel, false);
  }

  async stop(): Promise<void> {
    for (const tunnel of [...this.tunnels.values()]) this.close(tunnel, true);
    if (this.flushScheduled) this.flush();
    await this.sub.unsubscribe(channelOf(this.selfProcessId)).catch(() => undefined);
  }

  private track(id: Buffer, peer: string, socket: Duplex, outbound: boolean): Tunnel {
    const tunnel: Tunnel = { id, peer, socket, inFlight: 0, closed: false, outbound };
    this.tunnels.set(id.toString('hex'), tunnel);
    // Count each forwarded connection once, on the instance that forwarded it (as direct mode does).
    if (outbound) {
      this.stats.opened += 1;
      this.stats.active += 1;
    }
    socket.on('error', () => this.close(tunnel, true));
    socket.on('close', () => this.close(tunnel, true));
    return tunnel;
  }

  /** Read from the local socket and publish, pausing while Redis is behind. */
  private pump(tunnel: Tunnel): void {
    tunnel.socket.on('data', (chunk: Buffer) => this.send(tunnel, DATA, chunk));
    tunnel.socket.on('end', () => this.close(tunnel, true));
  }

  private send(tunnel: Tunnel, type: number, payload: Buffer): void {
    tunnel.inFlight += 1;
    if (tunnel.inFlight > MAX_IN_FLIGHT) tunnel.socket.pause();
    this.enqueue(tunnel.peer, Buffer.concat([Buffer.from([type]), tunnel.id, payload]), tunnel);
  }

  private enqueue(peer: string, frame: Buffer, tunnel?: Tunnel): void {
    let box = this.outbox.get(peer);
    if (!box) {
      box = { frames: [], tunnels: [] };
      this.outbox.set(peer, box);
    }
    box.frames.push(frame);
    if (tunnel) box.tunnels.push(tunnel);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Publish what this turn queued: one message per peer. */
  private flush(): void {
    this.flushScheduled = false;
    for (const [peer, { frames, tunnels }] of this.outbox) {
      this.pub
        .publish(channelOf(peer), frames.length === 1 ? frames[0]! : packBatch(frames))
        .then(() => {
          for (const tunnel of tunnels) {
            tunnel.inFlight -= 1;
            if (tunnel.inFlight <= MAX_IN_FLIGHT / 2 && !tunnel.closed) tunnel.socket.resume();
          }
        })
        .catch((error: unknown) => {
          this.log.warn('tunnel publish failed; closing its tunnels', { peer, error });
          for (const tunnel of tunnels) this.close(tunnel, false);
        });
    }
    this.outbox.clear();
  }

  private close(tunnel: Tunnel, notifyPeer: boolean): void {
    if (tunnel.closed) return;
    tunnel.closed = true;
    clearTimeout(tunnel.openTimer);
    this.tunnels.delete(tunnel.id.toString('hex'));
    if (tunnel.outbound) this.stats.active -= 1;
    // Queued behind this tunnel's last DATA, so the peer gets every byte before the end.
    if (notifyPeer) this.enqueue(tunnel.peer, Buffer.concat([Buffer.from([END]), tunnel.id]));
    tunnel.socket.destroy();
  }

  private onFrame(frame: Buffer, inBatch = false): void {
    if (frame[0] === BATCH && !inBatch) {
      let at = 1;
      while (at + 4 <= frame.length) {
        const length = frame.readUInt32BE(at);
        if (at + 4 + length > frame.length) return; // truncated: drop the rest
        this.onFrame(frame.subarray(at + 4, at + 4 + length), true);
        at += 4 + length;
      }
      return;
    }
    if (frame.length < 1 + ID_BYTES) return;
    const type = frame[0];
    const id = frame.subarray(1, 1 + ID_BYTES);
    const payload = frame.subarray(1 + ID_BYTES);
    const key = id.toString('hex');
    const tunnel = this.tunnels.get(key);
    if (type === OPEN) {
      if (tunnel || payload.length < 1) return;
      this.accept(Buffer.from(id), payload);
    } else if (type === DATA) {
      if (!tunnel) return;
      clearTimeout(tunnel.openTimer);
      tunnel.socket.write(payload);
      if (tunnel.socket.writableLength > MAX_BUFFERED_BYTES) {
        this.log.warn('tunnel receiver too slow; closing', { peer: tunnel.peer });
        this.close(tunnel, true);
      }
    } else if (type === END) {
      if (tunnel) this.close(tunnel, false);
    }
  }

  /** Owner side: replay an OPEN into our own port on loopback and tunnel the replies back. */
  private accept(id: Buffer, payload: Buffer): void {
    const peerLength = payload[0]!;
    const peer = payload.subarray(1, 1 + peerLength).toString('utf8');
    const request = payload.subarray(1 + peerLength);
    const upstream = net.connect({ host: '127.0.0.1', port: this.localPort });
    upstream.setNoDelay(true);
    const tunnel = this.track(id, peer, upstream, false);
    // Written before 'connect' on purpose: Node queues writes in order, so
    // DATA frames that arrive while connecting land after the request.
    upstream.write(request);
    this.pump(tunnel);
  }
}
