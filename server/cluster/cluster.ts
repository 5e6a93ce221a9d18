/**
 * Over 300 lines on purpose: the one place that wires the cluster's parts
 * (driver, presence, registry, placement, forwarder, edge) and their start and
 * stop order; each part has its own file.
 *
 * Multi-instance mode, on when `REDIS_URL` is set: Redis presence and driver
 * for matchmaking across instances, the instance registry, least-loaded room
 * placement, dead-instance clean-up, and the edge channel that lets any
 * instance hold the sockets of any room's players.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { ErrorCode, matchMaker, ServerError, type IRoomCache, type Presence, type SortOptions } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import type { WebSocketTransport } from '@colyseus/ws-transport';
import { transportSocketServer } from '../colyseusInternals.ts';
import type { WebSocketServer } from 'ws';
import { roomsFullError, type RoomBudget } from '../limits/roomBudget.ts';
import type { Logger } from '../logger.ts';
import type { Carrier } from './edge/carrier.ts';
import { DirectCarrier } from './edge/directCarrier.ts';
import { EdgeNode, type EdgeStats } from './edge/edgeNode.ts';
import { RedisCarrier } from './edge/redisCarrier.ts';
import { RoomForwarder, type ForwardMode, type LocalUpgrade } from './forwarder.ts';
import { chooseRoom, isClearlyMostLoaded } from './placement.ts';
import { Cluster as RedisCluster } from 'ioredis';
import { assertRedisReachable, createRedis, redactRedisUrl, REDIS_OPTIONS, retryStrategy } from './redis.ts';
import { restoreAfterRedisOutages } from './redisRecovery.ts';
import { InstanceRegistry } from './registry.ts';

export interface ClusterConfig {
  redisUrl: string;
  forwardMode: ForwardMode;
  /** `host:port` peers dial in direct mode; derived from the host's network when absent. */
  advertiseAddress: string | undefined;
  port: number;
  /** Largest frame a client may send, in bytes; the edge enforces it before anything crosses. */
  maxFrameBytes: number;
  /** Players per arena room (placement counts load in rooms). */
  roomSize: number;
  /** A Redis Cluster node: the edge channel then uses sharded pub/sub there (redis mode only). */
  edgeRedisClusterUrl?: string | undefined;
  /** Least time between two edge channel messages to one peer, in ms (default 0: every turn's operations leave at its end). */
  edgeMinMessageGapMs?: number;
  /** This process's arena room cap (`MAX_ROOMS`), published so peers place no rooms on a full instance. */
  rooms: RoomBudget;
}

/** Consecutive once-a-second registry checks a peer may be missing from before its connections end. */
const PEER_MISSES_BEFORE_LOST = 3;

/** Redis key of the secret instances show each other when they open a direct edge link. */
const EDGE_SECRET_KEY = 'arena:edge:secret';

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
  /** Set once the cluster runs: picks the room a join should take (see placement.ts). */
  choose?: (rooms: IRoomCache[]) => Promise<IRoomCache | undefined>;

  constructor(
    url: string,
    private readonly unlist: (roomIds: string[]) => Promise<void>,
  ) {
    super(url);
  }

  /** Matchmaking's "a room with space" query, answered locality first (placement.ts). */
  override async findOne(conditions: Partial<IRoomCache>, sortOptions?: SortOptions): Promise<IRoomCache> {
    const name = conditions.name;
    if (conditions.roomId !== undefined || name === undefined || LOCAL_ROOMS.has(name) || !this.choose)
      return super.findOne(conditions, sortOptions);
    const rooms = await this.query(conditions, sortOptions);
    return (await this.choose(rooms)) as IRoomCache;
  }

  override async cleanup(processId: string): Promise<void> {
    const rooms = await this.query({ processId });
    await super.cleanup(processId);
    await this.unlist(rooms.map((room) => room.roomId));
  }
}

export class Cluster {
  readonly presence: Presence;
  readonly driver: UnlistingRedisDriver;
  private registry?: InstanceRegistry;
  private carrier?: Carrier;
  private edgeShards?: RedisCluster;
  private edge?: EdgeNode;
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
    log.info('cluster mode: matchmaking over Redis', {
      redis: redactRedisUrl(config.redisUrl),
      forwardMode: config.forwardMode,
    });
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
    const eligible = new Set(
      live.filter((i) => !i.draining && !(handoff && i.processId === self)).map((i) => i.processId),
    );
    const candidates = stats.filter((s) => eligible.has(s.processId) && !full(s));
    if (candidates.length === 0) {
      if (handoff) throw new ServerError(ErrorCode.MATCHMAKE_UNHANDLED, 'no other live instance to hand the room to');
      if (this.config.rooms.full) throw roomsFullError(this.config.rooms.max);
      return self;
    }
    // Locality first: the room opens where the player's socket is, unless this instance is clearly the most loaded.
    const own = candidates.find((s) => s.processId === self);
    if (
      !handoff &&
      own &&
      !isClearlyMostLoaded(
        own.ccu,
        candidates.map((s) => s.ccu),
        this.config.roomSize,
      )
    )
      return self;
    candidates.sort(
      (a, b) =>
        a.ccu - b.ccu || a.roomCount - b.roomCount || (a.processId === self ? -1 : b.processId === self ? 1 : 0),
    );
    return candidates[0]!.processId;
  };

  /**
   * Take over the HTTP server's upgrades: local rooms go to the Colyseus
   * transport, rooms owned elsewhere are forwarded.
   */
  attach(httpServer: http.Server, transport: WebSocketTransport): void {
    // `wss` is the transport's own ws server: handing it an upgrade is exactly what its listener does.
    const wss = transportSocketServer(transport);
    this.handleLocally = (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    };
    transport.attachToServer(httpServer, {
      filter: (req) => !DirectCarrier.isPeerUpgrade(req) && (this.forwarder?.isLocal(req) ?? true),
    });
    httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      if (DirectCarrier.isPeerUpgrade(req)) {
        if (this.carrier instanceof DirectCarrier) this.carrier.acceptUpgrade(req, socket, head);
        else socket.destroy();
        return;
      }
      // Runs after the transport's own listener took a local upgrade, before it seats the client.
      if (this.forwarder?.isLocal(req) && req.url) this.edge?.retireReplaced(req.url);
      this.forwarder?.onUpgrade(req, socket, head);
    });
  }

  /** Room sockets held here for rooms owned elsewhere: opened, open now, failed (or cut by a lost peer). */
  get stats(): { opened: number; active: number; failed: number } {
    const edge = this.edge?.stats;
    return { opened: edge?.opened ?? 0, active: edge?.edgeSockets ?? 0, failed: edge?.failed ?? 0 };
  }

  /** Edge channel figures for `/metrics`; undefined before the cluster starts. */
  get edgeStats(): EdgeStats | undefined {
    return this.edge?.stats;
  }

  /** The `ws` server of the sockets this instance holds for rooms owned elsewhere (for frame metering). */
  onEdgeSocketServer?: (wss: WebSocketServer) => void;

  private handleLocally?: LocalUpgrade;

  /** Join the cluster: heartbeat, dead-instance sweeps and tunnels. Call before matchmaking accepts. */
  async start(): Promise<void> {
    await matchMaker.onReady;
    const processId = matchMaker.processId;
    const address = this.config.advertiseAddress ?? `${defaultHostAddress()}:${this.config.port}`;
    const registry = new InstanceRegistry(
      this.pub,
      {
        processId,
        address,
        port: this.config.port,
        startedAtEpochMs: this.startedAtEpochMs,
        draining: false,
        maxRooms: this.config.rooms.max,
      },
      this.log,
    );
    this.registry = registry;
    let carrier: Carrier;
    if (this.config.forwardMode === 'redis' && this.config.edgeRedisClusterUrl) {
      const url = new URL(this.config.edgeRedisClusterUrl);
      const shards = new RedisCluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
        shardedSubscribers: true,
        redisOptions: {
          ...REDIS_OPTIONS,
          ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
          ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
        },
        clusterRetryStrategy: retryStrategy,
      });
      shards.on('error', (error: Error) => this.log.warn('edge Redis Cluster error', { error: error.message }));
      this.edgeShards = shards;
      const redisCarrier = new RedisCarrier(processId, shards, shards, this.log, true);
      await redisCarrier.start();
      carrier = redisCarrier;
      this.log.info('edge channel on sharded pub/sub', { cluster: redactRedisUrl(this.config.edgeRedisClusterUrl) });
    } else if (this.config.forwardMode === 'redis') {
      const redisCarrier = new RedisCarrier(processId, this.pub, this.tunnelSub, this.log);
      await redisCarrier.start();
      carrier = redisCarrier;
    } else {
      // Peers prove they are ours with a secret kept in Redis: the load balancer routes
      // anyone's upgrade requests here too.
      await this.pub.set(EDGE_SECRET_KEY, randomBytes(32).toString('base64url'), 'NX');
      const secret = await this.pub.get(EDGE_SECRET_KEY);
      if (!secret) throw new Error('could not read the edge link secret from Redis');
      carrier = new DirectCarrier(processId, secret, async (peer) => (await registry.lookup(peer))?.address, this.log);
    }
    this.carrier = carrier;
    this.driver.choose = async (rooms) => {
      if (rooms.length === 0) return undefined;
      const [stats, live] = await Promise.all([matchMaker.stats.fetchAll(), registry.live()]);
      const eligible = new Set(live.filter((i) => !i.draining).map((i) => i.processId));
      const ccus = stats.filter((s) => eligible.has(s.processId));
      const own = ccus.find((s) => s.processId === processId);
      const clearlyMostLoaded =
        !own ||
        !eligible.has(processId) ||
        isClearlyMostLoaded(
          own.ccu,
          ccus.map((s) => s.ccu),
          this.config.roomSize,
        );
      return chooseRoom(
        rooms.filter((room) => eligible.has(room.processId)),
        processId,
        clearlyMostLoaded,
      ) as IRoomCache | undefined;
    };
    const edge = new EdgeNode(carrier, this.log, {
      maxFrameBytes: this.config.maxFrameBytes,
      minMessageGapMs: this.config.edgeMinMessageGapMs ?? 0,
    });
    this.edge = edge;
    this.onEdgeSocketServer?.(edge.socketServer);
    registry.onDeadInstance((dead) => this.removeDeadInstance(dead));
    // Every instance ends its own connections through a dead peer: the dead-instance
    // clean-up above runs on one peer only, and over Redis nothing else tells. A peer
    // must be missing from the registry several checks in a row: a Redis that restarts
    // empty has no heartbeats until every instance has beaten again.
    const misses = new Map<string, number>();
    this.peerCheck = setInterval(() => {
      const peers = edge.peers();
      for (const peer of misses.keys()) if (!peers.has(peer)) misses.delete(peer);
      for (const peer of peers) {
        registry
          .lookup(peer)
          .then((info) => {
            if (info || !registry.connected) {
              misses.delete(peer);
              return;
            }
            const missed = (misses.get(peer) ?? 0) + 1;
            misses.set(peer, missed);
            if (missed >= PEER_MISSES_BEFORE_LOST) {
              misses.delete(peer);
              carrier.dropPeer(peer);
            }
          })
          .catch(() => undefined);
      }
    }, 1000);
    this.peerCheck.unref();
    if (this.handleLocally) {
      this.forwarder = new RoomForwarder(registry, carrier, edge, this.handleLocally, this.log);
    }
    await registry.start();
    restoreAfterRedisOutages(
      this.pub,
      this.presence,
      { beat: () => registry.beat(), localRoomIds: () => this.localRoomIds() },
      this.log,
    );
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
    await this.edge?.stop();
    await this.carrier?.stop();
    this.edgeShards?.disconnect();
    this.pub.disconnect();
    this.tunnelSub.disconnect();
  }

  private async removeDeadInstance(processId: string): Promise<void> {
    await this.driver.cleanup(processId); // also unlists them from the lobbies
    await matchMaker.stats.excludeProcess(processId);
    // Colyseus's own receipt: should the process be alive after all, it re-lists its rooms.
    await this.presence.setex(`swept:${processId}`, '1', 600);
    this.carrier?.dropPeer(processId);
  }
}
