/**
 * Redis connections for the cluster. The start-up check is strict (a Redis
 * that is down at boot is a deployment error and must say so, naming the URL);
 * after boot, ioredis retries forever so a Redis restart only pauses
 * matchmaking instead of killing running rooms.
 */
import { Redis, type RedisOptions } from 'ioredis';

/** Redis could not be reached at start; the message names the (redacted) URL. */
export class RedisUnreachableError extends Error {
  override name = 'RedisUnreachableError';
}

/** Never put credentials in logs or errors. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** Reconnect backoff: fast at first, capped at 500 ms so the instance notices within half a second that Redis is back. */
export function retryStrategy(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 500);
}

/** Options every long-lived cluster connection uses. */
export const REDIS_OPTIONS: RedisOptions = {
  retryStrategy,
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
};

/**
 * Connect once and PING, failing within `timeoutMs` with an error naming the
 * (redacted) URL. Used at start so a bad `REDIS_URL` stops the process clearly.
 */
export async function assertRedisReachable(url: string, timeoutMs = 5000): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RedisUnreachableError(`cannot reach Redis at ${redactRedisUrl(url)} (REDIS_URL): ${reason}`);
  } finally {
    client.disconnect();
  }
}

/** A long-lived connection that logs its errors instead of crashing the process. */
export function createRedis(url: string, onError: (error: Error) => void): Redis {
  const client = new Redis(url, REDIS_OPTIONS);
  client.on('error', onError);
  return client;
}
