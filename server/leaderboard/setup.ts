/**
 * The process's leaderboard: Redis sorted sets when there is a `REDIS_URL`
 * (shared by every instance, kept across restarts), memory otherwise.
 */
import { createRedis } from '../cluster/redis.ts';
import type { Logger } from '../logger.ts';
import { MemoryLeaderboard } from './memoryBoard.ts';
import { LeaderboardRecorder } from './recorder.ts';
import { RedisLeaderboard } from './redisBoard.ts';

/** Build the store for `redisUrl` (none: in memory) and the recorder rooms write through. */
export function createLeaderboard(redisUrl: string | undefined, logger: Logger): LeaderboardRecorder {
  const log = logger.child({ source: 'leaderboard' });
  const store = redisUrl
    ? new RedisLeaderboard(
        createRedis(redisUrl, (error) => log.debug('leaderboard: redis connection error', { error: error.message })),
      )
    : new MemoryLeaderboard();
  return new LeaderboardRecorder(store, log);
}
