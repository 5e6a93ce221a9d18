/**
 * Boards in Redis sorted sets, shared by every instance and kept across
 * restarts: one sorted set per board (the daily one keyed by UTC day and
 * expiring {@link DAILY_KEEP_DAYS} after its last write, the all-time one
 * for good), members the player identities, scores wins × 2^32 + kills (see
 * `shared/leaderboard.ts`), and a hash beside each with the names.
 *
 * A round is written by one script: atomic and one round trip like a
 * MULTI, but it first claims the round's key (SET NX) and adds nothing when
 * the round was written already. So a write that timed out but did land,
 * then was retried, or a round written by two instances, counts once.
 * Every key carries the hash tag `{lb}`, so the script also runs on a Redis Cluster.
 */
import type { Redis } from 'ioredis';
import { boardScore, fromBoardScore, type BoardName, type LeaderboardEntry } from '../../shared/leaderboard.ts';
import {
  DAILY_KEEP_DAYS,
  MAX_BOARD_ENTRIES,
  ROUND_DEDUPE_TTL_S,
  type BoardRead,
  type LeaderboardStore,
  type RoundResult,
} from './board.ts';

/** Key prefix of everything the leaderboard keeps. */
export const BOARD_KEY_PREFIX = 'arena:{lb}:';
/** How long one Redis call may take before it counts as failed, in milliseconds. */
const CALL_TIMEOUT_MS = 2000;

/** The sorted set of a board. */
export function boardKey(board: BoardName, day: string): string {
  return board === 'alltime' ? `${BOARD_KEY_PREFIX}alltime` : `${BOARD_KEY_PREFIX}daily:${day}`;
}

// KEYS: round claim, daily set, daily names, all-time set, all-time names.
// ARGV: claim TTL s, daily TTL s, entry cap, then (identity, name, score increment) per player.
const RECORD_SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 4, #ARGV, 3 do
  redis.call('ZINCRBY', KEYS[2], ARGV[i + 2], ARGV[i])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  redis.call('ZINCRBY', KEYS[4], ARGV[i + 2], ARGV[i])
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1])
end
if #ARGV >= 4 then
  redis.call('EXPIRE', KEYS[2], ARGV[2])
  redis.call('EXPIRE', KEYS[3], ARGV[2])
end
local cap = tonumber(ARGV[3])
for _, pair in ipairs({{KEYS[2], KEYS[3]}, {KEYS[4], KEYS[5]}}) do
  local over = redis.call('ZCARD', pair[1]) - cap
  if over > 0 then
    local gone = redis.call('ZRANGE', pair[1], 0, over - 1)
    redis.call('ZREMRANGEBYRANK', pair[1], 0, over - 1)
    redis.call('HDEL', pair[2], unpack(gone))
  end
end
return 1`;

export class RedisLeaderboard implements LeaderboardStore {
  /** @param redis a connection of the leaderboard's own (closed by {@link close}) */
  constructor(
    private readonly redis: Redis,
    private readonly maxEntries: number = MAX_BOARD_ENTRIES,
  ) {}

  async record(result: RoundResult): Promise<boolean> {
    const daily = boardKey('daily', result.day);
    const alltime = boardKey('alltime', result.day);
    const args: string[] = [String(ROUND_DEDUPE_TTL_S), String(DAILY_KEEP_DAYS * 24 * 3600), String(this.maxEntries)];
    for (const p of result.players) args.push(p.identity, p.name, String(boardScore(p.win ? 1 : 0, p.kills)));
    const added = await timed(
      this.redis.eval(
        RECORD_SCRIPT,
        5,
        `${BOARD_KEY_PREFIX}round:${result.roundKey}`,
        daily,
        `${daily}:names`,
        alltime,
        `${alltime}:names`,
        ...args,
      ),
    );
    return Number(added) === 1;
  }

  async read(board: BoardName, day: string, limit: number, identity?: string): Promise<BoardRead> {
    const key = boardKey(board, day);
    const top = (await timed(this.redis.zrevrange(key, 0, limit - 1, 'WITHSCORES'))) as string[];
    const ids: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i < top.length; i += 2) {
      ids.push(top[i]!);
      scores.push(Number(top[i + 1]));
    }
    const pipeline = this.redis.pipeline();
    if (ids.length > 0) pipeline.hmget(`${key}:names`, ...ids);
    if (identity !== undefined) {
      pipeline.zrevrank(key, identity);
      pipeline.zscore(key, identity);
      pipeline.hget(`${key}:names`, identity);
    }
    const replies = ids.length > 0 || identity !== undefined ? ((await timed(pipeline.exec())) ?? []) : [];
    for (const [error] of replies) if (error) throw error;
    const names = ids.length > 0 ? (replies.shift()![1] as Array<string | null>) : [];
    const entries: LeaderboardEntry[] = ids.map((id, i) => {
      const entry = toEntry(i + 1, names[i] ?? null, scores[i]!);
      return id === identity ? { ...entry, own: true as const } : entry;
    });
    if (identity === undefined) return { entries };
    const [rank, score, name] = replies.map(([, value]) => value) as [number | null, string | null, string | null];
    if (rank === null || score === null) return { entries };
    return { entries, you: { ...toEntry(rank + 1, name, Number(score)), own: true } };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function toEntry(rank: number, name: string | null, score: number): LeaderboardEntry {
  return { rank, name: name ?? '?', ...fromBoardScore(score) };
}

/** Fail a Redis call that has not answered in {@link CALL_TIMEOUT_MS} (ioredis queues calls while disconnected). */
async function timed<T>(call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`redis did not answer within ${CALL_TIMEOUT_MS} ms`)),
          CALL_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
