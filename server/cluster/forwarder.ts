/**
 * Any instance serves any room: a room WebSocket that lands on an instance
 * other than the room's owner (the load balancer has no affinity) is carried
 * to the owner, directly over TCP or through Redis, transparently to the SDK.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, matchMaker } from '@colyseus/core';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';
import { spliceToAddress, type ForwardStats } from './directForwarder.ts';
import type { RedisTunnel } from './redisTunnel.ts';
import type { InstanceRegistry } from './registry.ts';
import { FORWARDED_HEADER, forwardedFor, parseRoomTarget, serializeRequestHead } from './upgrade.ts';

/** `direct`: peers dial each other's advertised address. `redis`: bytes ride Redis pub/sub (no peer addresses needed). */
export type ForwardMode = 'direct' | 'redis';

/** Completes upgrades only to close them with a retry code (see {@link RoomForwarder}). */
const tryAgainLater = new WebSocketServer({ noServer: true });

/** Hands an upgrade to this instance's own WebSocket transport. */
export type LocalUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export class RoomForwarder {
  constructor(
    readonly stats: ForwardStats,
    private readonly registry: InstanceRegistry,
    private readonly mode: ForwardMode,
    private readonly tunnel: RedisTunnel | undefined,
    private readonly handleLocally: LocalUpgrade,
    private readonly log: Logger,
  ) {}

  /**
   * True when this instance answers the upgrade itself: not a room path, a
   * request some peer already forwarded, or a room this process owns.
   */
  isLocal(req: IncomingMessage): boolean {
    const target = parseRoomTarget(req.url);
    if (!target) return true;
    if (req.headers[FORWARDED_HEADER] !== undefined) return true;
    if (target.processId === this.registry.processId) return true;
    return matchMaker.getLocalRoomById(target.roomId) !== undefined;
  }

  /** The `upgrade` listener for requests {@link isLocal} declined. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (this.isLocal(req)) return;
    socket.on('error', () => socket.destroy());
    void this.forward(req, socket, head).catch((error: unknown) => {
      this.stats.failed += 1;
      this.log.warn('could not forward room connection', { url: req.url, error });
      socket.destroy();
    });
  };

  private async forward(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const target = parseRoomTarget(req.url)!;
    const owner = await this.registry.lookup(target.processId);
    const tunnelDown = this.mode === 'redis' && !(this.tunnel?.ready ?? false);
    if (tunnelDown || (!this.registry.connected && !owner)) {
      // Redis is away: we cannot tell whether the owner lives, or (redis mode)
      // carry the bytes. Accept the socket and close it with MAY_TRY_RECONNECT,
      // which the SDK retries on. Not an HTTP error: Node's WebSocket reports a
      // failed handshake without a close event, which stalls the SDK's retries,
      // and a reset socket makes a load balancer mark this instance broken.
      tryAgainLater.handleUpgrade(req, socket, head, (ws) => ws.close(CloseCode.MAY_TRY_RECONNECT, 'cluster store unavailable; retry'));
      this.stats.failed += 1;
      return;
    }
    if (!owner) {
      // Owner gone: let our own transport answer, so the SDK gets Colyseus's
      // own "room not found / seat expired" error instead of a dead socket.
      this.handleLocally(req, socket, head);
      return;
    }
    const extra: Record<string, string> = { [FORWARDED_HEADER]: this.registry.processId };
    if (req.headers['x-forwarded-for'] === undefined) extra['x-forwarded-for'] = forwardedFor(req);
    const requestHead = serializeRequestHead(req, extra);
    if (this.mode === 'redis' && this.tunnel) {
      this.tunnel.open(socket, owner.processId, requestHead, head);
    } else {
      spliceToAddress(socket, owner.address, requestHead, head, this.stats);
    }
    this.log.debug('forwarded room connection', { roomId: target.roomId, owner: owner.processId, mode: this.mode });
  }
}
