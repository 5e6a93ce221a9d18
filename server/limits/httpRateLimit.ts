/**
 * Per-address rate limits on plain HTTP endpoints (invite lookups, the
 * leaderboard): the same shared counters as matchmaking, the same 429 answer.
 */
import type { Request, Response } from 'express';
import type { HttpError } from '../../shared/messages.ts';
import { clientAddressOf, isLoopback } from './clientAddress.ts';
import type { RateLimiter } from './rateLimit.ts';

/** What a limited endpoint needs to count a request. */
export interface HttpLimit {
  limiter: RateLimiter;
  /** Proxies appending to `X-Forwarded-For` (`TRUST_PROXY_HOPS`). */
  trustProxyHops: number;
}

/**
 * Count the request against its address in `bucket`; past `limit` per window
 * answer 429 with `Retry-After` and resolve false. `limit` 0: no limit.
 */
export async function withinRateLimit(
  req: Request,
  res: Response,
  { limiter, trustProxyHops }: HttpLimit,
  bucket: string,
  limit: number,
): Promise<boolean> {
  if (limit <= 0) return true;
  const address = clientAddressOf(req, trustProxyHops);
  // As for matchmaking: a bench or health check on this machine is not a client to limit.
  if (isLoopback(address)) return true;
  const decision = await limiter.take(bucket, address, limit);
  if (decision.allowed) return true;
  res
    .status(429)
    .set('retry-after', String(decision.retryAfterS))
    .json({
      error: `too many requests from your address; retry in ${decision.retryAfterS} s`,
      retryAfterS: decision.retryAfterS,
    } satisfies HttpError);
  return false;
}
