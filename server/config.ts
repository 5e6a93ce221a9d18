/**
 * All configuration comes from the environment and is validated once at
 * start: a bad value stops the server with a message naming the variable and
 * what it accepts, instead of surfacing later as odd behaviour.
 */
import {
  DEFAULT_MAX_PLAYERS,
  DEFAULT_MAX_SPECTATORS,
  RESPAWN_DELAY_MS,
  ROUND_DURATION_MS,
  SCOREBOARD_DURATION_MS,
  TICK_RATE_HZ,
} from '../shared/constants.ts';
import type { LogFormat, LogLevel } from './logger.ts';

export interface ServerConfig {
  /** HTTP + WebSocket port. Env `PORT`, default 2567. */
  port: number;
  /** Players per arena room. Env `MAX_PLAYERS`, 2–64, default 16. */
  maxPlayers: number;
  /** Spectators per arena room, besides its players. Env `MAX_SPECTATORS`, 0–256 (0: no spectators), default 16. */
  maxSpectators: number;
  /** Simulation rate in Hz. Env `TICK_RATE_HZ`, 10–60, default 30. */
  tickRateHz: number;
  /** Round length in ms. Env `ROUND_DURATION_MS`, 5 000–3 600 000, default 180 000. */
  roundDurationMs: number;
  /** Scoreboard pause between rounds in ms. Env `SCOREBOARD_DURATION_MS`, 1 000–60 000, default 8 000. */
  scoreboardDurationMs: number;
  /** Delay before a dead player respawns in ms. Env `RESPAWN_DELAY_MS`, 0–30 000, default 2 000. */
  respawnDelayMs: number;
  /** Seconds a dropped player's seat is held. Env `RECONNECT_GRACE_S`, 0–300, default 30. */
  reconnectGraceS: number;
  /** Env `LOG_LEVEL`: debug, info, warn, error or silent; default info. */
  logLevel: LogLevel;
  /**
   * Env `LOG_FORMAT`: `json` (default; Cloud Logging structured records) or
   * `pretty` (one readable line per record, for development).
   */
  logFormat: LogFormat;
  /**
   * Google Cloud project id, from env `GOOGLE_CLOUD_PROJECT` (App Engine sets
   * it), else `GCLOUD_PROJECT` or `GCP_PROJECT`. Known: HTTP-scoped log records
   * carry `logging.googleapis.com/trace`. Unset: they do not.
   */
  projectId: string | undefined;
  /** Directory of the built client served at `/`. Env `CLIENT_DIST`, default `dist/client`. */
  clientDist: string;
  /**
   * Env `REDIS_URL` (`redis://` or `rediss://`). Set: multi-instance mode with
   * Redis presence and driver. Unset: one instance, in-process presence and driver.
   */
  redisUrl: string | undefined;
  /** Env `FORWARD_MODE`: `direct` (peers dial each other) or `redis` (bytes over pub/sub); default `direct`. */
  forwardMode: 'direct' | 'redis';
  /** Env `ADVERTISE_ADDRESS` (`host:port`): where peers reach this instance in direct mode; default first IPv4 + PORT. */
  advertiseAddress: string | undefined;
  /**
   * Env `EDGE_REDIS_CLUSTER_URL` (`redis://host:port` of one node of a Redis
   * Cluster, e.g. Memorystore for Redis Cluster): with `FORWARD_MODE=redis`,
   * the edge channel uses sharded pub/sub there instead of PUBLISH on `REDIS_URL`.
   */
  edgeRedisClusterUrl: string | undefined;
  /**
   * Env `EDGE_MIN_MESSAGE_GAP_MS`, 0–10: least time between two edge channel
   * messages to one peer instance. Dense traffic (players' inputs, patches of
   * rooms that tick at different moments) then shares messages, each waiting
   * at most this long; a lone message leaves at once. Default 2 in redis mode
   * (every message is a PUBLISH that Redis parses and relays: fewer, larger
   * ones cost far less) and 0 in direct mode (a message is one socket write,
   * and its latency budget is tighter).
   */
  edgeMinMessageGapMs: number;
  /** Env `METRICS_ENABLED` (`true`/`false`, default `true`): serve Prometheus metrics at `GET /metrics`. */
  metricsEnabled: boolean;
  /**
   * Env `METRICS_TOKEN` (8–256 visible ASCII characters): when set, `GET /metrics`
   * answers only requests with `Authorization: Bearer <token>`. Unset: open.
   */
  metricsToken: string | undefined;
  /**
   * Env `DRAIN_TIMEOUT_MS`, 1 000–60 000, default 7 000: how long a draining
   * instance (SIGTERM) spends handing its rooms to other instances before it
   * closes what is left. Cloud Run kills 10 s after SIGTERM, so keep it below 9 000 there.
   */
  drainTimeoutMs: number;
  /**
   * Env `CLUSTER_VIEW_INTERVAL_MS`, 1 000–60 000, default 5 000: how often the
   * instance samples its key figures and publishes them for `GET /metrics/cluster`.
   */
  clusterViewIntervalMs: number;
  /**
   * Env `ADMIN_TOKEN` (8–256 visible ASCII characters): turns on the admin
   * endpoints (on-demand room hand-off) for requests with
   * `Authorization: Bearer <token>`. Unset: no admin endpoints at all.
   */
  adminToken: string | undefined;
  /**
   * Env `MAX_ROOMS`, 1–10 000, default 200: arena rooms this process hosts at
   * most. A create past it answers 503 with `Retry-After`; in a cluster new
   * rooms go to instances below their cap.
   */
  maxRooms: number;
  /**
   * Env `TRUST_PROXY_HOPS`, 0–5, default 1: how many proxies in front of the
   * server append to `X-Forwarded-For`. The client address used for per-address
   * limits is the entry that many places from the right (0: the socket's peer).
   * 1 fits Cloud Run and App Engine (one Google front end).
   */
  trustProxyHops: number;
  /**
   * Env `JOIN_RATE_LIMIT`, 0–10 000, default 30: matchmaking requests that
   * create or take a seat (`create`, `join`, `joinOrCreate`, `joinById`) one
   * client address may make per 10 s; 0 turns the limit off.
   */
  joinRateLimit: number;
  /**
   * Env `RECONNECT_RATE_LIMIT`, 0–10 000, default 30: reconnections per address
   * per 10 s (`reconnect` requests and WebSockets carrying a reconnection token); 0 off.
   */
  reconnectRateLimit: number;
  /** Env `INVITE_LOOKUP_RATE_LIMIT`, 0–10 000, default 10: invite code lookups (`GET /invites/<code>`) per address per 10 s; 0 off. */
  inviteLookupRateLimit: number;
  /** Env `LEADERBOARD_RATE_LIMIT`, 0–10 000, default 20: leaderboard reads (`GET /leaderboard`) per address per 10 s; 0 off. */
  leaderboardRateLimit: number;
  /** Env `MAX_CONNECTIONS_PER_ADDRESS`, 0–10 000, default 64: open WebSockets per client address; 0 off. */
  maxConnectionsPerAddress: number;
  /** Env `MAX_LOBBY_SESSIONS_PER_ADDRESS`, 0–1 000, default 8: lobby sessions per client address in one lobby room; 0 off. */
  maxLobbySessionsPerAddress: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/u.test(raw.trim()))
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

function boolVar(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function tokenVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const token = env[name]?.trim() || undefined;
  if (token !== undefined && !/^[\x21-\x7e]{8,256}$/u.test(token)) {
    throw new ConfigError(`${name} must be 8 to 256 visible ASCII characters (no spaces)`);
  }
  return token;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const FORMATS: readonly LogFormat[] = ['json', 'pretty'];
/** A project id (6–30 lowercase letters, digits, hyphens), optionally domain-scoped (`example.com:my-project`). */
const PROJECT_ID = /^(?:[a-z0-9.-]{1,63}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/u;

function projectIdVar(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'GCP_PROJECT']) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (!PROJECT_ID.test(value))
      throw new ConfigError(
        `${name} must be a Google Cloud project id (6-30 lowercase letters, digits or hyphens), got "${value}"`,
      );
    return value;
  }
  return undefined;
}

/** Read and validate the configuration; throws {@link ConfigError} naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const logFormat = (env.LOG_FORMAT?.trim() || 'json').toLowerCase();
  if (!FORMATS.includes(logFormat as LogFormat)) {
    throw new ConfigError(`LOG_FORMAT must be one of ${FORMATS.join(', ')}, got "${env.LOG_FORMAT}"`);
  }
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/u.test(redisUrl)) {
    throw new ConfigError(
      `REDIS_URL must be a redis:// or rediss:// URL, got "${redisUrl.replace(/:[^:@/]*@/u, ':***@')}"`,
    );
  }
  const forwardMode = (env.FORWARD_MODE?.trim() || 'direct').toLowerCase();
  if (forwardMode !== 'direct' && forwardMode !== 'redis') {
    throw new ConfigError(`FORWARD_MODE must be "direct" or "redis", got "${env.FORWARD_MODE}"`);
  }
  const advertiseAddress = env.ADVERTISE_ADDRESS?.trim() || undefined;
  if (advertiseAddress !== undefined && !/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/u.test(advertiseAddress)) {
    throw new ConfigError(`ADVERTISE_ADDRESS must be host:port (IPv6 in brackets), got "${advertiseAddress}"`);
  }
  const edgeRedisClusterUrl = env.EDGE_REDIS_CLUSTER_URL?.trim() || undefined;
  if (edgeRedisClusterUrl !== undefined) {
    if (!/^rediss?:\/\/[^\s]+$/u.test(edgeRedisClusterUrl))
      throw new ConfigError(`EDGE_REDIS_CLUSTER_URL must be a redis:// or rediss:// URL`);
    if (forwardMode !== 'redis')
      throw new ConfigError(
        'EDGE_REDIS_CLUSTER_URL needs FORWARD_MODE=redis (direct mode sends nothing through Redis)',
      );
  }
  const metricsToken = tokenVar(env, 'METRICS_TOKEN');
  const adminToken = tokenVar(env, 'ADMIN_TOKEN');
  return {
    redisUrl,
    forwardMode,
    advertiseAddress,
    edgeRedisClusterUrl,
    edgeMinMessageGapMs: intVar(env, 'EDGE_MIN_MESSAGE_GAP_MS', forwardMode === 'redis' ? 2 : 0, 0, 10),
    port: intVar(env, 'PORT', 2567, 0, 65535),
    maxPlayers: intVar(env, 'MAX_PLAYERS', DEFAULT_MAX_PLAYERS, 2, 64),
    maxSpectators: intVar(env, 'MAX_SPECTATORS', DEFAULT_MAX_SPECTATORS, 0, 256),
    tickRateHz: intVar(env, 'TICK_RATE_HZ', TICK_RATE_HZ, 10, 60),
    roundDurationMs: intVar(env, 'ROUND_DURATION_MS', ROUND_DURATION_MS, 5000, 3_600_000),
    scoreboardDurationMs: intVar(env, 'SCOREBOARD_DURATION_MS', SCOREBOARD_DURATION_MS, 1000, 60_000),
    respawnDelayMs: intVar(env, 'RESPAWN_DELAY_MS', RESPAWN_DELAY_MS, 0, 30_000),
    reconnectGraceS: intVar(env, 'RECONNECT_GRACE_S', 30, 0, 300),
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    projectId: projectIdVar(env),
    clientDist: env.CLIENT_DIST?.trim() || 'dist/client',
    metricsEnabled: boolVar(env, 'METRICS_ENABLED', true),
    metricsToken,
    drainTimeoutMs: intVar(env, 'DRAIN_TIMEOUT_MS', 7000, 1000, 60_000),
    clusterViewIntervalMs: intVar(env, 'CLUSTER_VIEW_INTERVAL_MS', 5000, 1000, 60_000),
    adminToken,
    maxRooms: intVar(env, 'MAX_ROOMS', 200, 1, 10_000),
    trustProxyHops: intVar(env, 'TRUST_PROXY_HOPS', 1, 0, 5),
    joinRateLimit: intVar(env, 'JOIN_RATE_LIMIT', 30, 0, 10_000),
    reconnectRateLimit: intVar(env, 'RECONNECT_RATE_LIMIT', 30, 0, 10_000),
    inviteLookupRateLimit: intVar(env, 'INVITE_LOOKUP_RATE_LIMIT', 10, 0, 10_000),
    leaderboardRateLimit: intVar(env, 'LEADERBOARD_RATE_LIMIT', 20, 0, 10_000),
    maxConnectionsPerAddress: intVar(env, 'MAX_CONNECTIONS_PER_ADDRESS', 64, 0, 10_000),
    maxLobbySessionsPerAddress: intVar(env, 'MAX_LOBBY_SESSIONS_PER_ADDRESS', 8, 0, 1000),
  };
}
