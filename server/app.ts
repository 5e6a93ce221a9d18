/**
 * Composition root: builds the game server from a config without listening,
 * so `index.ts` and the tests boot exactly the same app.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { defineRoom, defineServer, matchMaker, Room, type Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { checkColyseusInternals, transportHttpServer } from './colyseusInternals.ts';
import express from 'express';
import { mountAdminRoutes } from './admin.ts';
import { guardHttpServer } from './httpGuard.ts';
import { Cluster } from './cluster/cluster.ts';
import { registerEdgeMetrics } from './cluster/edge/edgeMetrics.ts';
import { createRedis } from './cluster/redis.ts';
import type { ServerConfig } from './config.ts';
import { guardConnections, type ConnectionCounts } from './limits/connectionGuard.ts';
import { RateLimiter } from './limits/rateLimit.ts';
import { RoomBudget, roomsFullError } from './limits/roomBudget.ts';
import { frameworkLogger, type Logger } from './logger.ts';
import { bearerMatches } from './auth.ts';
import { ServerMetrics } from './metrics.ts';
import { mountInviteRoutes } from './invites/inviteRoutes.ts';
import { mountSpectateRoute } from './spectate/spectateRoute.ts';
import type { LeaderboardRecorder } from './leaderboard/recorder.ts';
import { createLeaderboard } from './leaderboard/setup.ts';
import { mountLeaderboardRoutes } from './leaderboard/routes.ts';
import { ClusterView, mountClusterView } from './ops/clusterView.ts';
import { FigureSampler, registerOpsGauges } from './ops/figures.ts';
import { mountMonitor } from './ops/monitor.ts';
import { mountRequestLogging } from './ops/requestLog.ts';
import { ArenaLobbyRoom, type LobbyRoomOptions } from './rooms/ArenaLobbyRoom.ts';
import { ArenaRoom, type ArenaRoomOptions } from './rooms/ArenaRoom.ts';

/** Largest WebSocket frame a client may send; inputs and chat are far smaller. */
export const MAX_FRAME_BYTES = 16 * 1024;

export interface App {
  server: Server;
  /** Present in multi-instance mode (`REDIS_URL` set). */
  cluster: Cluster | undefined;
  /** Prometheus metrics served at `GET /metrics`; absent when `METRICS_ENABLED=false`. */
  metrics: ServerMetrics | undefined;
  /** Arena rooms hosted by this process (what a drain hands off). */
  readonly arenaRooms: ReadonlySet<ArenaRoom>;
  /** The process's arena room cap (`MAX_ROOMS`) and how much of it is taken. */
  readonly roomBudget: RoomBudget;
  /** Round results on their way to the leaderboard store (Redis with `REDIS_URL`, memory without). */
  readonly leaderboard: LeaderboardRecorder;
  /** Open WebSockets per client address, once listening. */
  readonly connections: ConnectionCounts | undefined;
  /** Listen on `port` (0: any free port) with the HTTP edge guard in front; resolves once listening. */
  listen(port: number): Promise<void>;
  /** True while the process takes players; `/readyz` reports it. */
  readonly ready: boolean;
  setReady(ready: boolean): void;
}

/**
 * Build the server. With `REDIS_URL` it first checks Redis answers (throwing
 * an error that names the URL if not) and wires the cluster; without it the
 * server uses Colyseus's in-process presence and driver.
 */
export async function buildApp(config: ServerConfig, logger: Logger): Promise<App> {
  let ready = false;
  const arenaRooms = new Set<ArenaRoom>();
  const roomBudget = new RoomBudget(config.maxRooms);
  let connections: ConnectionCounts | undefined;
  // Forwarding counters are read at scrape time, once the cluster (below) exists.
  const metrics = config.metricsEnabled
    ? new ServerMetrics({
        forwardStats: () => cluster?.stats,
        extra: (registry) => registerEdgeMetrics(registry, () => cluster?.edgeStats),
      })
    : undefined;
  const leaderboard = createLeaderboard(config.redisUrl, logger);
  const roomOptions: ArenaRoomOptions = {
    maxPlayers: config.maxPlayers,
    maxSpectators: config.maxSpectators,
    tickRateHz: config.tickRateHz,
    roundDurationMs: config.roundDurationMs,
    scoreboardDurationMs: config.scoreboardDurationMs,
    respawnDelayMs: config.respawnDelayMs,
    reconnectGraceS: config.reconnectGraceS,
    logger,
    metrics,
    directory: arenaRooms,
    budget: roomBudget,
    leaderboard,
  };
  const clientDist = path.resolve(config.clientDist);

  const cluster = config.redisUrl
    ? await Cluster.connect(
        {
          redisUrl: config.redisUrl,
          forwardMode: config.forwardMode,
          advertiseAddress: config.advertiseAddress,
          port: config.port,
          maxFrameBytes: MAX_FRAME_BYTES,
          roomSize: config.maxPlayers,
          edgeRedisClusterUrl: config.edgeRedisClusterUrl,
          edgeMinMessageGapMs: config.edgeMinMessageGapMs,
          rooms: roomBudget,
        },
        logger,
      )
    : undefined;

  if (cluster) {
    cluster.localRoomIds = () => [...arenaRooms].map((room) => room.roomId);
    cluster.onEdgeSocketServer = (wss) => metrics?.meterSocketServer(wss);
  }
  // Rate-limit counters are shared by every instance through Redis when there is one.
  const limiterRedis = config.redisUrl
    ? createRedis(config.redisUrl, (error) =>
        logger.warn('rate-limit redis connection error', { error: error.message }),
      )
    : undefined;
  const limiter = new RateLimiter(limiterRedis, logger);

  if (metrics) registerOpsGauges(metrics, config.tickRateHz);
  const clusterView = metrics
    ? new ClusterView({
        sampler: new FigureSampler({ metrics, tickRateHz: config.tickRateHz, forwardStats: () => cluster?.stats }),
        redis: config.redisUrl
          ? createRedis(config.redisUrl, (error) => logger.debug('cluster view: redis error', { error: error.message }))
          : undefined,
        log: logger,
        publishIntervalMs: config.clusterViewIntervalMs,
      })
    : undefined;

  let transport: WebSocketTransport;
  let httpServer: http.Server | undefined;
  if (cluster) {
    httpServer = http.createServer();
    transport = new WebSocketTransport({ maxPayload: MAX_FRAME_BYTES, noServer: true });
  } else {
    transport = new WebSocketTransport({ maxPayload: MAX_FRAME_BYTES });
  }
  // Fail the start, naming the Colyseus version, if a private member the server relies on has moved.
  checkColyseusInternals({ roomPrototype: Room.prototype, room: new Room(), transport });
  if (cluster && httpServer) cluster.attach(httpServer, transport);
  metrics?.meterTransport(transport);

  const server = defineServer({
    greet: false,
    logger: frameworkLogger(logger.child({ source: 'colyseus' })),
    transport,
    ...(cluster
      ? {
          presence: cluster.presence,
          driver: cluster.driver,
          selectProcessIdToCreateRoom: cluster.selectProcessIdToCreateRoom,
          beforeListen: () => cluster.start(),
        }
      : {
          selectProcessIdToCreateRoom: async (roomName: string) => {
            if (roomName === 'arena' && roomBudget.full) throw roomsFullError(roomBudget.max);
            return matchMaker.processId;
          },
        }),
    rooms: {
      arena: defineRoom(ArenaRoom, roomOptions).enableRealtimeListing(),
      lobby: defineRoom(ArenaLobbyRoom, {
        maxSessionsPerAddress: config.maxLobbySessionsPerAddress,
      } satisfies LobbyRoomOptions),
    },
    express: (app) => {
      app.disable('x-powered-by');
      mountRequestLogging(app, logger, config.projectId);
      app.get('/healthz', (_req, res) => {
        res.status(200).json({ status: 'alive' });
      });
      app.get('/readyz', (_req, res) => {
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
      });
      if (metrics) {
        app.get('/metrics', async (req, res) => {
          if (config.metricsToken !== undefined && !bearerMatches(req.get('authorization'), config.metricsToken)) {
            res
              .status(401)
              .set('WWW-Authenticate', 'Bearer')
              .json({ error: 'metrics need a bearer token (METRICS_TOKEN)' });
            return;
          }
          res
            .status(200)
            .type(metrics.contentType)
            .send(await metrics.render());
        });
      }
      mountInviteRoutes(app, {
        limiter,
        trustProxyHops: config.trustProxyHops,
        createRateLimit: config.joinRateLimit,
        lookupRateLimit: config.inviteLookupRateLimit,
        logger,
      });
      mountSpectateRoute(app, {
        limiter,
        trustProxyHops: config.trustProxyHops,
        joinRateLimit: config.joinRateLimit,
        logger,
      });
      mountLeaderboardRoutes(app, {
        store: leaderboard.store,
        limiter,
        trustProxyHops: config.trustProxyHops,
        rateLimit: config.leaderboardRateLimit,
        logger,
      });
      if (clusterView) mountClusterView(app, clusterView, config.metricsToken, logger);
      if (config.adminToken !== undefined) {
        mountAdminRoutes(app, config.adminToken, logger);
        mountMonitor(app, config.adminToken, logger);
      }
      if (existsSync(clientDist)) {
        app.use(express.static(clientDist, { index: 'index.html', maxAge: '1h' }));
      } else {
        logger.warn('client build not found; serving the API only', { clientDist });
      }
    },
  });

  server.onShutdown(async () => {
    await clusterView?.stop();
    await cluster?.stop();
    // Half a second at most for a round's write under way: shutdown has a hard deadline (index.ts).
    await leaderboard.close(500);
    limiterRedis?.disconnect();
    metrics?.close();
    httpServer?.close();
    httpServer?.closeAllConnections();
  });

  return {
    server,
    cluster,
    metrics,
    arenaRooms,
    roomBudget,
    leaderboard,
    get connections() {
      return connections;
    },
    async listen(port: number) {
      await server.listen(port);
      const listening = httpServer ?? transportHttpServer(transport);
      if (!listening) throw new Error('the WebSocket transport has no HTTP server to guard');
      guardHttpServer(listening, logger, {
        limiter,
        trustProxyHops: config.trustProxyHops,
        joinRateLimit: config.joinRateLimit,
        reconnectRateLimit: config.reconnectRateLimit,
      });
      connections = guardConnections(
        listening,
        {
          trustProxyHops: config.trustProxyHops,
          maxPerAddress: config.maxConnectionsPerAddress,
          reconnects: { limiter, limit: config.reconnectRateLimit },
        },
        logger,
      );
      await clusterView?.start();
    },
    get ready() {
      return ready;
    },
    setReady(value: boolean) {
      ready = value;
    },
  };
}
