/** loadConfig: defaults, overrides, and a ConfigError naming the variable for every bad value. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../server/config.ts';
import {
  DEFAULT_MAX_PLAYERS,
  DEFAULT_MAX_SPECTATORS,
  RESPAWN_DELAY_MS,
  ROUND_DURATION_MS,
  SCOREBOARD_DURATION_MS,
  TICK_RATE_HZ,
} from '../../shared/constants.ts';

describe('loadConfig', () => {
  it('has documented defaults for an empty environment', () => {
    assert.deepEqual(loadConfig({}), {
      port: 2567,
      maxPlayers: DEFAULT_MAX_PLAYERS,
      maxSpectators: DEFAULT_MAX_SPECTATORS,
      tickRateHz: TICK_RATE_HZ,
      roundDurationMs: ROUND_DURATION_MS,
      scoreboardDurationMs: SCOREBOARD_DURATION_MS,
      respawnDelayMs: RESPAWN_DELAY_MS,
      reconnectGraceS: 30,
      logLevel: 'info',
      logFormat: 'json',
      projectId: undefined,
      clientDist: 'dist/client',
      redisUrl: undefined,
      forwardMode: 'direct',
      advertiseAddress: undefined,
      edgeRedisClusterUrl: undefined,
      edgeMinMessageGapMs: 0,
      metricsEnabled: true,
      metricsToken: undefined,
      drainTimeoutMs: 7000,
      clusterViewIntervalMs: 5000,
      adminToken: undefined,
      maxRooms: 200,
      trustProxyHops: 1,
      joinRateLimit: 30,
      reconnectRateLimit: 30,
      inviteLookupRateLimit: 10,
      leaderboardRateLimit: 20,
      maxConnectionsPerAddress: 64,
      maxLobbySessionsPerAddress: 8,
    });
  });

  it('treats blank values as unset', () => {
    const config = loadConfig({
      PORT: '',
      MAX_PLAYERS: '  ',
      REDIS_URL: ' ',
      FORWARD_MODE: '',
      ADVERTISE_ADDRESS: '',
      CLIENT_DIST: ' ',
    });
    assert.equal(config.port, 2567);
    assert.equal(config.maxPlayers, DEFAULT_MAX_PLAYERS);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.forwardMode, 'direct');
    assert.equal(config.advertiseAddress, undefined);
    assert.equal(config.clientDist, 'dist/client');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      MAX_PLAYERS: '2',
      MAX_SPECTATORS: '0',
      TICK_RATE_HZ: '60',
      ROUND_DURATION_MS: '5000',
      SCOREBOARD_DURATION_MS: '1000',
      RESPAWN_DELAY_MS: '0',
      RECONNECT_GRACE_S: '300',
      LOG_LEVEL: ' WARN ',
      LOG_FORMAT: 'Pretty',
      GOOGLE_CLOUD_PROJECT: 'my-game-123',
      CLIENT_DIST: 'build/web',
      REDIS_URL: 'rediss://user:pw@redis.internal:6380/0',
      FORWARD_MODE: 'Redis',
      ADVERTISE_ADDRESS: '[fd00::1]:2567',
      EDGE_REDIS_CLUSTER_URL: 'redis://10.0.0.9:6379',
      EDGE_MIN_MESSAGE_GAP_MS: '5',
      METRICS_ENABLED: 'false',
      METRICS_TOKEN: ' s3cret-token ',
      DRAIN_TIMEOUT_MS: '8500',
      CLUSTER_VIEW_INTERVAL_MS: '1000',
      ADMIN_TOKEN: 'admin-token-1',
      MAX_ROOMS: '1',
      TRUST_PROXY_HOPS: '0',
      JOIN_RATE_LIMIT: '0',
      RECONNECT_RATE_LIMIT: '10000',
      INVITE_LOOKUP_RATE_LIMIT: '0',
      LEADERBOARD_RATE_LIMIT: '5',
      MAX_CONNECTIONS_PER_ADDRESS: '0',
      MAX_LOBBY_SESSIONS_PER_ADDRESS: '1000',
    });
    assert.deepEqual(config, {
      port: 8080,
      maxPlayers: 2,
      maxSpectators: 0,
      tickRateHz: 60,
      roundDurationMs: 5000,
      scoreboardDurationMs: 1000,
      respawnDelayMs: 0,
      reconnectGraceS: 300,
      logLevel: 'warn',
      logFormat: 'pretty',
      projectId: 'my-game-123',
      clientDist: 'build/web',
      redisUrl: 'rediss://user:pw@redis.internal:6380/0',
      forwardMode: 'redis',
      advertiseAddress: '[fd00::1]:2567',
      edgeRedisClusterUrl: 'redis://10.0.0.9:6379',
      edgeMinMessageGapMs: 5,
      metricsEnabled: false,
      metricsToken: 's3cret-token',
      drainTimeoutMs: 8500,
      clusterViewIntervalMs: 1000,
      adminToken: 'admin-token-1',
      maxRooms: 1,
      trustProxyHops: 0,
      joinRateLimit: 0,
      reconnectRateLimit: 10000,
      inviteLookupRateLimit: 0,
      leaderboardRateLimit: 5,
      maxConnectionsPerAddress: 0,
      maxLobbySessionsPerAddress: 1000,
    });
    assert.equal(loadConfig({ METRICS_ENABLED: ' TRUE ' }).metricsEnabled, true);
    assert.equal(loadConfig({ METRICS_ENABLED: '0' }).metricsEnabled, false);
    assert.equal(loadConfig({ ADVERTISE_ADDRESS: 'game-1.internal:2567' }).advertiseAddress, 'game-1.internal:2567');
    assert.equal(loadConfig({ PORT: ' 0 ' }).port, 0);
    assert.equal(loadConfig({ GCLOUD_PROJECT: 'example.com:legacy-app' }).projectId, 'example.com:legacy-app');
    assert.equal(loadConfig({ GOOGLE_CLOUD_PROJECT: 'first-one', GCP_PROJECT: 'second-one' }).projectId, 'first-one');
  });

  const bad: Array<[string, string]> = [
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['PORT', '1e3'],
    ['PORT', '0x50'],
    ['MAX_PLAYERS', '1'],
    ['MAX_PLAYERS', '65'],
    ['MAX_PLAYERS', 'many'],
    ['MAX_SPECTATORS', '-1'],
    ['MAX_SPECTATORS', '257'],
    ['MAX_SPECTATORS', 'lots'],
    ['TICK_RATE_HZ', '9'],
    ['TICK_RATE_HZ', '61'],
    ['TICK_RATE_HZ', '30Hz'],
    ['ROUND_DURATION_MS', '4999'],
    ['ROUND_DURATION_MS', '3600001'],
    ['SCOREBOARD_DURATION_MS', '999'],
    ['SCOREBOARD_DURATION_MS', '60001'],
    ['RESPAWN_DELAY_MS', '30001'],
    ['RESPAWN_DELAY_MS', '-5'],
    ['RECONNECT_GRACE_S', '301'],
    ['RECONNECT_GRACE_S', 'forever'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'trace'],
    ['LOG_FORMAT', 'text'],
    ['LOG_FORMAT', 'JSONL'],
    ['GOOGLE_CLOUD_PROJECT', 'My Project'],
    ['GOOGLE_CLOUD_PROJECT', 'abc'],
    ['GCLOUD_PROJECT', 'ends-with-'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'http://redis:6379'],
    ['REDIS_URL', 'redis://has space'],
    ['FORWARD_MODE', 'http'],
    ['ADVERTISE_ADDRESS', 'no-port'],
    ['ADVERTISE_ADDRESS', 'host:port'],
    ['ADVERTISE_ADDRESS', 'fd00::1:2567'],
    ['ADVERTISE_ADDRESS', 'http://host:2567'],
    ['METRICS_ENABLED', 'yes'],
    ['METRICS_ENABLED', 'off'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_TOKEN', 'has a space inside'],
    ['DRAIN_TIMEOUT_MS', '999'],
    ['DRAIN_TIMEOUT_MS', '60001'],
    ['CLUSTER_VIEW_INTERVAL_MS', '999'],
    ['CLUSTER_VIEW_INTERVAL_MS', '5s'],
    ['ADMIN_TOKEN', 'short'],
    ['MAX_ROOMS', '0'],
    ['MAX_ROOMS', '10001'],
    ['TRUST_PROXY_HOPS', '6'],
    ['TRUST_PROXY_HOPS', 'all'],
    ['JOIN_RATE_LIMIT', '-1'],
    ['RECONNECT_RATE_LIMIT', '10001'],
    ['INVITE_LOOKUP_RATE_LIMIT', '-1'],
    ['LEADERBOARD_RATE_LIMIT', '10001'],
    ['MAX_CONNECTIONS_PER_ADDRESS', 'lots'],
    ['MAX_LOBBY_SESSIONS_PER_ADDRESS', '1001'],
  ];
  for (const [name, value] of bad) {
    it(`throws a ConfigError naming ${name} for ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
          assert.equal(error.name, 'ConfigError');
          assert.ok(error.message.startsWith(`${name} `), `message should name ${name}: ${error.message}`);
          return true;
        },
      );
    });
  }

  it('takes a Redis Cluster for the edge channel only in redis mode, and only as a redis URL', () => {
    assert.equal(
      loadConfig({ FORWARD_MODE: 'redis', EDGE_REDIS_CLUSTER_URL: 'redis://10.0.0.5:6379' }).edgeRedisClusterUrl,
      'redis://10.0.0.5:6379',
    );
    assert.equal(loadConfig({}).edgeRedisClusterUrl, undefined);
    assert.throws(
      () => loadConfig({ EDGE_REDIS_CLUSTER_URL: 'redis://10.0.0.5:6379' }),
      /EDGE_REDIS_CLUSTER_URL needs FORWARD_MODE=redis/,
    );
    assert.throws(
      () => loadConfig({ FORWARD_MODE: 'redis', EDGE_REDIS_CLUSTER_URL: 'http://x' }),
      /EDGE_REDIS_CLUSTER_URL must be/,
    );
  });

  it('holds edge inputs 2 ms by default in redis mode, none in direct mode, and takes 0–10 ms', () => {
    assert.equal(loadConfig({ FORWARD_MODE: 'redis' }).edgeMinMessageGapMs, 2);
    assert.equal(loadConfig({}).edgeMinMessageGapMs, 0);
    assert.equal(loadConfig({ EDGE_MIN_MESSAGE_GAP_MS: '0', FORWARD_MODE: 'redis' }).edgeMinMessageGapMs, 0);
    for (const bad of ['11', '-1', '1.5', 'soon'])
      assert.throws(() => loadConfig({ EDGE_MIN_MESSAGE_GAP_MS: bad }), /EDGE_MIN_MESSAGE_GAP_MS/);
  });

  it('does not echo a Redis password in its error', () => {
    assert.throws(
      () => loadConfig({ REDIS_URL: 'redis://user:s3cret@host with space:6379' }),
      (error: unknown) =>
        error instanceof ConfigError && !error.message.includes('s3cret') && error.message.includes('REDIS_URL'),
    );
  });
});
