/**
 * `POST /spectate/<roomId>`: a spectator seat in an arena room, listed or
 * private (a private room's id comes from its invite code), on whichever
 * instance owns it. Matchmaking's `joinById` cannot do it: it refuses a room
 * whose player seats are full (locked) before asking the room, and a full
 * match is the one most worth watching. Counted against the address's
 * `JOIN_RATE_LIMIT`, like every other seat.
 */
import { matchMaker } from '@colyseus/core';
import type { Application } from 'express';
import type { HttpError } from '../../shared/messages.ts';
import { SpectateRoute } from '../../shared/spectate.ts';
import { withinRateLimit } from '../limits/httpRateLimit.ts';
import type { RateLimiter } from '../limits/rateLimit.ts';
import type { Logger } from '../logger.ts';
import { reserveSpectatorSeat } from '../rooms/spectators.ts';

/** Options of {@link mountSpectateRoute}. */
export interface SpectateRouteOptions {
  limiter: RateLimiter;
  /** Proxies appending to `X-Forwarded-For` (`TRUST_PROXY_HOPS`). */
  trustProxyHops: number;
  /** Seats one address may take per 10 s window (`JOIN_RATE_LIMIT`); 0: no limit. */
  joinRateLimit: number;
  logger: Logger;
}

/** Colyseus room ids: short, URL-safe. */
const ROOM_ID = /^[A-Za-z0-9_-]{1,32}$/u;

/** Mount `POST /spectate/:roomId` on `app`. */
export function mountSpectateRoute(app: Application, options: SpectateRouteOptions): void {
  const log = options.logger.child({ source: 'spectate' });
  app.post(`${SpectateRoute}/:roomId`, async (req, res) => {
    if (!(await withinRateLimit(req, res, options, 'join', options.joinRateLimit))) return;
    const roomId = req.params.roomId;
    if (!ROOM_ID.test(roomId)) {
      res.status(400).json({ error: 'a room id is 1–32 letters, digits, _ or -' } satisfies HttpError);
      return;
    }
    // The local driver answers at once, Redis's with a promise.
    const listing = await Promise.resolve()
      .then(() => matchMaker.driver.findOne({ roomId }))
      .catch((error: unknown) => {
        log.warn('room lookup failed', { roomId, error });
        return undefined;
      });
    if (listing?.name !== 'arena') {
      res.status(404).json({ error: 'that room has closed' } satisfies HttpError);
      return;
    }
    const seat = await reserveSpectatorSeat(listing);
    if ('status' in seat) {
      if (seat.status === 503) res.set('retry-after', '2');
      res.status(seat.status).json({ error: seat.error } satisfies HttpError);
      return;
    }
    log.info('spectator seat reserved', { roomId, sessionId: seat.sessionId });
    res.status(200).json(seat);
  });
}
