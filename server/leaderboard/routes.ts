/**
 * `GET /leaderboard?board=daily|alltime&limit=N`: the best entries of a board
 * (today's UTC day for `daily`), validated and capped (limit 1–50), rate
 * limited per client address like invite lookups. A page that sends its
 * identity in `X-Arena-Identity` gets its own entry marked (`own`) and, as
 * `you`, also when it ranks below the limit; the identity never travels in
 * the URL, so it stays out of access logs.
 */
import type { Application } from 'express';
import {
  IDENTITY_HEADER,
  LeaderboardRoute,
  parseBoardQuery,
  parseIdentity,
  utcDay,
  type LeaderboardPage,
} from '../../shared/leaderboard.ts';
import type { HttpError } from '../../shared/messages.ts';
import { withinRateLimit, type HttpLimit } from '../limits/httpRateLimit.ts';
import type { Logger } from '../logger.ts';
import type { LeaderboardStore } from './board.ts';

/** Rate-limit bucket of board reads (`limits/rateLimit.ts`). */
export const LEADERBOARD_BUCKET = 'leaderboard';

/** Options of {@link mountLeaderboardRoutes}. */
export interface LeaderboardRouteOptions extends HttpLimit {
  store: LeaderboardStore;
  /** Reads one address may make per 10 s window (`LEADERBOARD_RATE_LIMIT`); 0: no limit. */
  rateLimit: number;
  logger: Logger;
  /** Wall clock in ms (picks today's board). */
  now?: () => number;
}

/** Mount `GET /leaderboard` on `app`. */
export function mountLeaderboardRoutes(app: Application, options: LeaderboardRouteOptions): void {
  const log = options.logger.child({ source: 'leaderboard' });
  const now = options.now ?? Date.now;

  app.get(LeaderboardRoute, async (req, res) => {
    if (!(await withinRateLimit(req, res, options, LEADERBOARD_BUCKET, options.rateLimit))) return;
    const query = parseBoardQuery(req.query as Record<string, unknown>);
    if (!query.ok) {
      res.status(400).json({ error: query.error } satisfies HttpError);
      return;
    }
    const rawIdentity = req.get(IDENTITY_HEADER);
    const identity = rawIdentity === undefined ? undefined : parseIdentity(rawIdentity);
    if (identity !== undefined && !identity.ok) {
      res.status(400).json({ error: `${IDENTITY_HEADER}: ${identity.error}` } satisfies HttpError);
      return;
    }
    const { board, limit } = query.value;
    const day = utcDay(now());
    try {
      const read = await options.store.read(board, day, limit, identity?.value);
      const page: LeaderboardPage = {
        board,
        ...(board === 'daily' ? { day } : {}),
        entries: read.entries,
        ...(read.you ? { you: read.you } : {}),
      };
      // The answer depends on the identity header: no shared cache may keep it.
      res.status(200).set('cache-control', 'private, no-store').json(page);
    } catch (error) {
      log.warn('leaderboard read failed', { board, error });
      res
        .status(503)
        .set('retry-after', '5')
        .json({ error: 'the leaderboard cannot be read right now; try again in a few seconds' } satisfies HttpError);
    }
  });
}
