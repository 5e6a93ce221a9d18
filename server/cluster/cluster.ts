/**
 * Multi-instance mode, on when `REDIS_URL` is set: Redis presence and driver
 * for matchmaking across instances, the instance registry, least-loaded room
 * placement, dead-instance clean-up, and room-connection forwarding.
 */
import type http from 'node:http';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { ErrorCode, matchMaker, ServerError, type Presence } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import type { WebSocketTransport } from '@colyseus/ws-transport';
import type { WebSocketServer } from 'ws';
import { roomsFullError, type RoomBudget } from '../limits/roomBudget.ts';
import type { Logger } from '../logger.ts';
import type { ForwardStats } from './directForwarder.ts';
import { RoomForwarder, type ForwardMode, type LocalUpgrade } from './forwarder.ts';
import { assertRedisReachable, createRedis, redactRedisUrl } from './redis.ts';
import { RedisTunnel } from './redisTunnel.ts';
import { restoreAfterRedisOutages } from './redisRecovery.ts';
import { InstanceRegistry } from './registry.ts';

export interface ClusterConfig {
  redisUrl: string;
  forwardMode: ForwardMode;
  /** `host:port` peers dial in direct mode; derived from the host's network when absent. */
  advertiseAddress: string | undefined;
  port: number;
  /** This process's arena room cap (`MAX_ROOMS`), published so peers place no rooms on a full instance. */
  rooms: RoomBudget;
}

/** Room names that always open on the instance the client reached (each lobby is fed by pub/sub anyway). */
const LOCAL_ROOMS = new Set(['lobby']);

/** The first non-internal IPv4 address of this host, or loopback. */
export function defaultHostAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const addr of list ?? []) if (addr.family === 'IPv4' && !addr.internal) return addr.address;
  }
  return '127.0.0.1';
}

/**
 * The Redis driver, except that removing a process's rooms also takes them
 * out of every lobby (`$lobby` "removed"). Colyseus's own health check (run
 * when an IPC call to a dead owner times out) removes them through this same
 * `cleanup` without telling the lobbies, and once it has, the rooms can no
 * longer be found to unlist.
 */
class UnlistingRedisDriver extends RedisDriver {
  constructor(
    url: string,
    private readonly unlist: (roomIds: string[]) => Promise<void>,
  ) {
    super(url);
  }

  override async cleanup(processId: string): Promise<void> {
    const rooms = await this.query({ processId });
    await super.cleanup(processId);
    await this.unlist(rooms.map((room) => room.roomId));
  }
}

export class Cluster {
  readonly presence: Presence;
  readonly driver: RedisDriver;
  readonly stats: ForwardStats = { opened: 0, active: 0, failed: 0 };
  private registry?: InstanceRegistry;
  private tunnel?: RedisTunnel;
  private forwarder?: RoomForwarder;
  private readonly pub;
  private readonly tunnelSub;
  private readonly startedAtEpochMs = Date.now();
  private peerCheck?: NodeJS.Timeout;

  private constructor(
    private readonly config: ClusterConfig,
    private readonly log: Logger,
  ) {
    const onError = (error: Error): void => this.log.warn('redis connection error', { error: error.message });
    this.presence = new RedisPresence(config.redisUrl);
    this.driver = new UnlistingRedisDriver(config.redisUrl, async (roomIds) => {
      for (const roomId of roomIds) await this.presence.publish('$lobby', `${roomId},1`);
    });
    this.pub = createRedis(config.redisUrl, onError);
    this.tunnelSub = createRedis(config.redisUrl, onError);
  }

  /** Check Redis answers (a clear error naming the URL otherwise), then build the cluster parts. */
  static async connect(config: ClusterConfig, log: Logger): Promise<Cluster> {
    await assertRedisReachable(config.redisUrl);
    log.info('cluster mode: matchmaking over Redis', { redis: redactRedisUrl(config.redisUrl), forwardMode: config.forwardMode });
    return new Cluster(config, log);
  }

  /**
   * Colyseus hook: put a new room on the live, non-draining instance with the
   * fewest players, among those below their room cap (`MAX_ROOMS`).
   */
  readonly selectProcessIdToCreateRoom = async (roomName: string, clientOptions?: unknown): Promise<string> => {
    const self = matchMaker.processId;
    // A hand-off's continuation room must land elsewhere: this instance is the one letting go.
    const handoff = typeof clientOptions === 'object' && clientOptions !== null && 'handoffKey' in clientOptions;
    if (!handoff && LOCAL_ROOMS.has(roomName)) return self;
    if (!this.registry) {
      if (handoff) throw new ServerError(ErrorCode.MATCHMAKE_UNHANDLED, 'no other instance to hand the room to');
      if (this.config.rooms.full) throw roomsFullError(this.config.rooms.max);
      return self;
    }
    const [stats, live] = await Promise.all([matchMaker.stats.fetchAll(), this.registry.live()]);
    // A peer's room count (from Colyseus's stats, lobby included) against its published cap: one lobby is allowed for.
    const caps = new Map(live.map((i) => [i.processId, i.maxRooms]));
    const full = (s: { processId: string; roomCount: number }): boolean =>
      s.processId === self ? this.config.rooms.full : s.roomCount >= (caps.get(s.processId) ?? Infinity) + 1;
    const eligible = new Set(live.filter((i) => !i.draining && !(handoff && i.processId === self)).map((i) => i.processId));
    const candidates = stats.filter((s) => eligible.has(s.processId) && !full(s));
    if (candidates.length === 0) {
      if (handoff) throw new ServerError(ErrorCode.MATCHMAKE_UNHANDLED, 'no other live instance to hand the room to');
      if (this.config.rooms.full) throw roomsFullError(this.config.rooms.max);
      return self;
    }
    candidates.sort((a, b) => a.ccu - b.ccu || a.roomCount - b.roomCount || (a.processId === self ? -1 : b.processId === self ? 1 : 0));
    return candidates[0]!.processId;
  };

  /**
   * Take over the HTTP server's upgrades: local rooms go to the Colyseus
   * transport, rooms owned elsewhere are forwarded.
   */
  attach(httpServer: http.Server, transport: WebSocketTransport): void {
    // `wss` is the transport's own ws server: handing it an upgrade is exactly what its listener does.
    const wss = (transport as unknown as { wss: WebSocketServer }).wss;
    this.handleLocally = (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    };
    transport.attachToServer(httpServer, { filter: (req) => this.forwarder?.isLocal(req) ?? true });
    httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.forwarder?.onUpgrade(req, socket, head));
  }

  private handleLocally?: LocalUpgrade;

  /** Join the cluster: heartbeat, dead-instance sweeps and tunnels. Call before matchmaking accepts. */
  async start(): Promise<void> {
    await matchMaker.onReady;
    const processId = matchMaker.processId;
    const address = this.config.advertiseAddress ?? `${defaultHostAddress()}:${this.config.port}`;
    const registry = new InstanceRegistry(this.pub, { processId, address, port: this.config.port, startedAtEpochMs: this.startedAtEpochMs, draining: false, maxRooms: this.config.rooms.max }, this.log);
    this.registry = registry;
    if (this.config.forwardMode === 'redis') {
      this.tunnel = new RedisTunnel(this.pub, this.tunnelSub, processId, this.config.port, this.stats, this.log);
      await this.tunnel.start();
    }
    registry.onDeadInstance((dead) => this.removeDeadInstance(dead));
    if (this.tunnel) {
      // Every instance closes its own tunnels to a dead peer: the dead-instance
      // clean-up above runs on one peer only, and a tunnel's socket gets no
      // close of its own when the far end dies (no TCP between the two ends).
      const tunnel = this.tunnel;
      this.peerCheck = setInterval(() => {
        for (const peer of tunnel.peers()) {
          registry
            .lookup(peer)
            .then((info) => {
              if (!info) tunnel.closePeer(peer);
            })
            .catch(() => undefined);
        }
      }, 1000);
      this.peerCheck.unref();
    }
    if (this.handleLocally) {
      this.forwarder = new RoomForwarder(this.stats, registry, this.config.forwardMode, this.tunnel, this.handleLocally, this.log);
    }
    await registry.start();
    restoreAfterRedisOutages(this.pub, this.presence, { beat: () => registry.beat(), localRoomIds: () => this.localRoomIds() }, this.log);
    this.log.info('joined cluster', { processId, address, forwardMode: this.config.forwardMode });
  }

  /** Set by the app: the rooms this process hosts, listed again after a Redis outage. */
  localRoomIds: () => string[] = () => [];

  /** Draining instances take no new rooms. */
  async setDraining(draining: boolean): Promise<void> {
    await this.registry?.setDraining(draining);
  }

  async stop(): Promise<void> {
    clearInterval(this.peerCheck);
    await this.registry?.stop();
    await this.tunnel?.stop();
    this.pub.disconnect();
    this.tunnelSub.disconnect();
  }

  private async removeDeadInstance(processId: string): Promise<void> {
    await this.driver.cleanup(processId); // also unlists them from the lobbies
    await matchMaker.stats.excludeProcess(processId);
    // Colyseus's own receipt: should the process be alive after all, it re-lists its rooms.
    await this.presence.setex(`swept:${processId}`, '1', 600);
    this.tunnel?.closePeer(processId);
  }
}
