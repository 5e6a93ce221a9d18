/**
 * Any instance serves any room: a room WebSocket that lands on an instance
 * other than the room's owner (the load balancer has no affinity) is taken
 * here, at the edge, and its player is carried to the owner over the edge
 * channel (see `edge/edgeNode.ts`), transparently to the SDK.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, matchMaker } from '@colyseus/core';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';
import type { Carrier } from './edge/carrier.ts';
import type { EdgeNode } from './edge/edgeNode.ts';
import type { InstanceRegistry } from './registry.ts';
import { forwardedFor, parseRoomTarget } from './upgrade.ts';

/** `direct`: peers dial each other's advertised address. `redis`: messages ride Redis pub/sub (no peer addresses needed). */
export type ForwardMode = 'direct' | 'redis';

/** Completes upgrades only to close them with a retry code (see {@link RoomForwarder}). */
const tryAgainLater = new WebSocketServer({ noServer: true });

/** Hands an upgrade to this instance's own WebSocket transport. */
export type LocalUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export class RoomForwarder {
  constructor(
    private readonly registry: InstanceRegistry,
    private readonly carrier: Carrier,
    private readonly edge: EdgeNode,
    private readonly handleLocally: LocalUpgrade,
    private readonly log: Logger,
  ) {}

  /** True when this instance's own transport answers the upgrade: not a room path, or a room this process owns. */
  isLocal(req: IncomingMessage): boolean {
    const target = parseRoomTarget(req.url);
    if (!target) return true;
    if (target.processId === this.registry.processId) return true;
    return matchMaker.getLocalRoomById(target.roomId) !== undefined;
  }

  /** The `upgrade` listener for requests {@link isLocal} declined. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (this.isLocal(req)) return;
    socket.on('error', () => socket.destroy());
    void this.forward(req, socket, head).catch((error: unknown) => {
      this.edge.stats.failed += 1;
      this.log.warn('could not carry room connection to its owner', { url: req.url, error });
      socket.destroy();
    });
  };

  private async forward(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const target = parseRoomTarget(req.url)!;
    const owner = await this.registry.lookup(target.processId);
    if (!this.carrier.ready || (!this.registry.connected && !owner)) {
      // Redis is away: we cannot tell whether the owner lives, or (redis mode)
      // carry anything. Accept the socket and close it with MAY_TRY_RECONNECT,
      // which the SDK retries on. Not an HTTP error: Node's WebSocket reports a
      // failed handshake without a close event, which stalls the SDK's retries,
      // and a reset socket makes a load balancer mark this instance broken.
      tryAgainLater.handleUpgrade(req, socket, head, (ws) =>
        ws.close(CloseCode.MAY_TRY_RECONNECT, 'cluster store unavailable; retry'),
      );
      this.edge.stats.failed += 1;
      return;
    }
    if (!owner) {
      // Owner gone: let our own transport answer, so the SDK gets Colyseus's
      // own "room not found / seat expired" error instead of a dead socket.
      this.handleLocally(req, socket, head);
      return;
    }
    // The headers (X-Forwarded-For included) travel to the owner as they came; this is the socket's own peer.
    this.edge.accept(req, socket, head, owner.processId, forwardedFor(req));
    this.log.debug('room connection held at the edge', { roomId: target.roomId, owner: owner.processId });
  }
}
