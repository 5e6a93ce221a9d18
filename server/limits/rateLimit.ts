/**
 * Fixed-window request counters per client address, for matchmaking. In a
 * cluster the counters live in Redis, so a client cannot multiply its
 * allowance by the number of instances the load balancer spreads it over;
 * without Redis (or while it is away) each process counts in memory.
 *
 * Keys are client addresses (see `clientAddress.ts`), never something an
 * attacker shares with the people it would lock out (a room, a name).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/** A counting window, in milliseconds. */
export const RATE_WINDOW_MS = 10_000;
/** Counters kept in memory at most; past it the oldest window is dropped first. */
const MAX_MEMORY_COUNTERS = 50_000;
/** How long a Redis round trip may take before the process counts on its own, in milliseconds. */
const REDIS_TIMEOUT_MS = 250;

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the window resets (what `Retry-After` says); 0 when allowed. */
  retryAfterS: number;
}

// INCR, give a new counter its window, and answer the count and the time left.
const TAKE_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

export class RateLimiter {
  private readonly counters = new Map<string, { count: number; resetAtMs: number }>();
  private redisWarned = false;

  /**
   * @param redis shared counters when given (cluster mode); counted in memory otherwise
   * @param windowMs counting window, default {@link RATE_WINDOW_MS}
   */
  constructor(
    private readonly redis: Redis | undefined,
    private readonly log: Logger,
    private readonly windowMs: number = RATE_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one request of `key` in `bucket`; allowed while the window's count is at most `limit` (0: no limit). */
  async take(bucket: string, key: string, limit: number): Promise<RateDecision> {
    if (limit <= 0) return { allowed: true, retryAfterS: 0 };
    const shared =
      this.redis && this.redis.status === 'ready'
        ? await this.takeShared(bucket, key).catch(() => undefined)
        : undefined;
    const { count, msLeft } = shared ?? this.takeLocal(bucket, key);
    if (count <= limit) return { allowed: true, retryAfterS: 0 };
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(msLeft / 1000)) };
  }

  /** Counters held in memory (for tests and the bound). */
  get localCounters(): number {
    return this.counters.size;
  }

  private takeLocal(bucket: string, key: string): { count: number; msLeft: number } {
    const now = this.now();
    const id = `${bucket}\u0000${key}`;
    let counter = this.counters.get(id);
    if (!counter || counter.resetAtMs <= now) {
      if (counter) this.counters.delete(id);
      if (this.counters.size >= MAX_MEMORY_COUNTERS) this.prune(now);
      counter = { count: 0, resetAtMs: now + this.windowMs };
      this.counters.set(id, counter);
    }
    counter.count += 1;
    return { count: counter.count, msLeft: counter.resetAtMs - now };
  }

  /** Drop expired counters; if every one is live, the oldest (insertion order is window order). */
  private prune(now: number): void {
    for (const [id, counter] of this.counters) if (counter.resetAtMs <= now) this.counters.delete(id);
    for (const id of this.counters.keys()) {
      if (this.counters.size < MAX_MEMORY_COUNTERS) break;
      this.counters.delete(id);
    }
  }

  private async takeShared(bucket: string, key: string): Promise<{ count: number; msLeft: number }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await Promise.race([
        this.redis!.eval(TAKE_SCRIPT, 1, `arena:rate:${bucket}:${key}`, String(this.windowMs)) as Promise<
          [number, number]
        >,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('redis rate-limit call timed out')), REDIS_TIMEOUT_MS);
        }),
      ]);
      this.redisWarned = false;
      return { count: Number(reply[0]), msLeft: Number(reply[1]) };
    } catch (error) {
      if (!this.redisWarned) this.log.warn('rate limits counted per process: redis did not answer', { error });
      this.redisWarned = true;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
