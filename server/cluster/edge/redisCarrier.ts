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

export class RedisCarrier implements Carrier {
  private readonly events = new CarrierEvents();
  private readonly pending = new Map<string, number>();
  private readonly header: Buffer;

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
  }

  async start(): Promise<void> {
    const own = channelOf(this.self);
    this.sub.on(this.sharded ? 'smessageBuffer' : 'messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() !== own || message.length < 1) return;
      const length = message[0]!;
      if (message.length < 1 + length) return;
      const peer = message.subarray(1, 1 + length).toString('utf8');
      if (!this.pending.has(peer)) this.pending.set(peer, 0);
      this.events.message(peer, message.subarray(1 + length));
    });
    if (this.sharded) await this.sub.ssubscribe(own);
    else await this.sub.subscribe(own);
    // Without Redis no message crosses, and messages queued meanwhile could reach a
    // peer before its subscription is back, tearing its streams: every peer is lost.
    const dropAll = (): void => {
      const peers = [...this.pending.keys()];
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
    const bytes = message.length;
    const pending = (this.pending.get(peer) ?? 0) + bytes;
    if (pending > MAX_PENDING_BYTES) {
      this.log.warn('edge peer too far behind over Redis; dropping it', { peer, pendingBytes: pending });
      this.dropPeer(peer);
      return;
    }
    this.pending.set(peer, pending);
    const payload = Buffer.concat([this.header, message]);
    (this.sharded ? this.pub.spublish(channelOf(peer), payload) : this.pub.publish(channelOf(peer), payload)).then(
      () => {
        const left = this.pending.get(peer);
        if (left !== undefined) this.pending.set(peer, left - bytes);
      },
      (error: unknown) => {
        this.log.warn('edge publish failed; dropping the peer', { peer, error });
        this.dropPeer(peer);
      },
    );
  }

  onMessage(handler: (peer: string, message: Buffer) => void): void {
    this.events.onMessage(handler);
  }

  onPeerLost(handler: (peer: string) => void): void {
    this.events.onPeerLost(handler);
  }

  dropPeer(peer: string): void {
    this.pending.delete(peer);
    this.events.lost(peer);
  }

  pendingBytes(peer: string): number {
    return this.pending.get(peer) ?? 0;
  }

  async stop(): Promise<void> {
    await (this.sharded
      ? this.sub.sunsubscribe(channelOf(this.self))
      : this.sub.unsubscribe(channelOf(this.self))
    ).catch(() => undefined);
  }
}
