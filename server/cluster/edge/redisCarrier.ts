/**
 * Edge channel messages over Redis pub/sub: each instance subscribes to its
 * own channel, and a message is `[senderLength:1][sender][payload]`. One
 * publisher connection keeps every message to a peer in order. For platforms
 * whose instances cannot dial each other (Cloud Run).
 *
 * Sharded (`SPUBLISH`/`SSUBSCRIBE` on a Redis Cluster, as Memorystore for
 * Redis Cluster offers): each instance's channel lives on the shard its name
 * hashes to, so channel traffic spreads over every shard instead of passing
 * through one Redis.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../logger.ts';
import { CarrierEvents, type Carrier } from './carrier.ts';

/** A peer this far behind (bytes published but not yet acknowledged by Redis) is cut off. */
const MAX_PENDING_BYTES = 32 * 1024 * 1024;

const channelOf = (processId: string): string => `arena:edge:${processId}`;

/**
 * What is under way to one peer: its channel name, encoded once, and the
 * bytes published but not yet acknowledged. Each answer from Redis settles
 * one message (the oldest: a peer's channel lives on one connection, so its
 * answers come in order, and the total is right once all are in whatever the
 * order). The callbacks are made once per peer, not per message.
 */
class PeerLink {
  /** Bytes published but not yet acknowledged by Redis. */
  pending = 0;
  private readonly sizes: number[] = [];
  readonly channel: Buffer;
  /**
   * Redis answers a PUBLISH with the number of subscribers that got it. None
   * means the peer is not listening (it died, or its subscription is not back
   * yet after a Redis restart): the message is gone, and the streams through
   * it are torn, so the link fails now instead of a client waiting out its
   * seat reservation.
   */
  readonly acknowledged = (receivers: unknown): void => {
    this.pending -= this.sizes.shift() ?? 0;
    if (receivers === 0) this.failed(new Error('no subscriber on the peer channel'));
  };
  readonly failed: (error: unknown) => void;

  constructor(peer: string, onFailure: (peer: string, link: PeerLink, error: unknown) => void) {
    this.channel = Buffer.from(channelOf(peer), 'utf8');
    this.failed = (error) => onFailure(peer, this, error);
  }

  published(bytes: number): void {
    this.pending += bytes;
    this.sizes.push(bytes);
  }
}

export class RedisCarrier implements Carrier {
  private readonly events = new CarrierEvents();
  private readonly links = new Map<string, PeerLink>();
  private readonly header: Buffer;
  private readonly ownChannel: Buffer;

  /**
   * @param pub connection used to publish (shared with nothing that blocks)
   * @param sub dedicated subscriber connection (for a sharded cluster client, `pub` itself)
   * @param sharded SPUBLISH/SSUBSCRIBE on a Redis Cluster client made with `shardedSubscribers` (default false)
   */
  constructor(
    readonly self: string,
    private readonly pub: Redis | Cluster,
    private readonly sub: Redis | Cluster,
    private readonly log: Logger,
    private readonly sharded = false,
  ) {
    const id = Buffer.from(self, 'utf8');
    this.header = Buffer.concat([Buffer.from([id.length]), id]);
    this.ownChannel = Buffer.from(channelOf(self), 'utf8');
  }

  async start(): Promise<void> {
    const own = channelOf(this.self);
    this.sub.on(this.sharded ? 'smessageBuffer' : 'messageBuffer', (channel: Buffer, message: Buffer) => {
      if (!this.ownChannel.equals(channel) || message.length < 1) return;
      const length = message[0]!;
      if (message.length < 1 + length) return;
      const peer = message.toString('utf8', 1, 1 + length);
      if (!this.links.has(peer)) this.links.set(peer, this.newLink(peer));
      this.events.message(peer, message.subarray(1 + length));
    });
    if (this.sharded) await this.sub.ssubscribe(own);
    else await this.sub.subscribe(own);
    // Without Redis no message crosses, and messages queued meanwhile could reach a
    // peer before its subscription is back, tearing its streams: every peer is lost.
    const dropAll = (): void => {
      const peers = [...this.links.keys()];
      if (peers.length === 0) return;
      this.log.warn('Redis connection lost; ending edge connections through it so their clients reconnect', {
        peers: peers.length,
      });
      for (const peer of peers) this.dropPeer(peer);
    };
    this.pub.on('close', dropAll);
    this.sub.on('close', dropAll);
  }

  get ready(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  send(peer: string, message: Buffer): void {
    let link = this.links.get(peer);
    if (!link) {
      link = this.newLink(peer);
      this.links.set(peer, link);
    }
    const bytes = message.length;
    if (link.pending + bytes > MAX_PENDING_BYTES) {
      this.log.warn('edge peer too far behind over Redis; dropping it', { peer, pendingBytes: link.pending + bytes });
      this.dropPeer(peer);
      return;
    }
    link.published(bytes);
    const payload = Buffer.concat([this.header, message], this.header.length + bytes);
    (this.sharded ? this.pub.spublish(link.channel, payload) : this.pub.publish(link.channel, payload)).then(
      link.acknowledged,
      link.failed,
    );
  }

  private newLink(peer: string): PeerLink {
    return new PeerLink(peer, (lost, link, error) => {
      // A late failure of a link already dropped (and perhaps made again) is old news.
      if (this.links.get(lost) !== link) return;
      this.log.warn('edge publish failed; dropping the peer', {
        peer: lost,
        error: error instanceof Error ? error.message : String(error),
      });
      this.dropPeer(lost);
    });
  }

  onMessage(handler: (peer: string, message: Buffer) => void): void {
    this.events.onMessage(handler);
  }

  onPeerLost(handler: (peer: string) => void): void {
    this.events.onPeerLost(handler);
  }

  dropPeer(peer: string): void {
    this.links.delete(peer);
    this.events.lost(peer);
  }

  pendingBytes(peer: string): number {
    return this.links.get(peer)?.pending ?? 0;
  }

  async stop(): Promise<void> {
    await (this.sharded
      ? this.sub.sunsubscribe(channelOf(this.self))
      : this.sub.unsubscribe(channelOf(this.self))
    ).catch(() => undefined);
  }
}
