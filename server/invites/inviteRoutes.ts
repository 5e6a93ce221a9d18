/**
 * HTTP side of private rooms (see `InviteRoute` in `shared/messages.ts`):
 * make a private arena room with a fresh code, and look a code up. Lookups
 * are counted per client address by the shared rate limiter (through Redis
 * in a cluster, so spreading guesses over instances gains nothing); with
 * 65-bit codes that makes enumerating them hopeless.
 */
import { matchMaker } from '@colyseus/core';
import type { Application } from 'express';
import { parseInviteCode } from '../../shared/invite.ts';
import { InviteRoute, type HttpError, type InviteCreated, type InviteLookup } from '../../shared/messages.ts';
import { withinRateLimit } from '../limits/httpRateLimit.ts';
import type { RateLimiter } from '../limits/rateLimit.ts';
import type { Logger } from '../logger.ts';
import { lookUpInvite, newInviteCode } from './inviteListing.ts';

/** Options of {@link mountInviteRoutes}. */
export interface InviteRouteOptions {
  limiter: RateLimiter;
  /** Proxies appending to `X-Forwarded-For` (`TRUST_PROXY_HOPS`). */
  trustProxyHops: number;
  /** Private rooms one address may make per 10 s window (counted with its other matchmaking, `JOIN_RATE_LIMIT`); 0: no limit. */
  createRateLimit: number;
  /** Code lookups one address may make per 10 s window (`INVITE_LOOKUP_RATE_LIMIT`); 0: no limit. */
  lookupRateLimit: number;
  logger: Logger;
}

/** Rate-limit bucket of code lookups (`limits/rateLimit.ts`). */
export const INVITE_LOOKUP_BUCKET = 'invite';

/** Mount `POST /invites` and `GET /invites/:code` on `app`. */
export function mountInviteRoutes(app: Application, options: InviteRouteOptions): void {
  const log = options.logger.child({ source: 'invites' });

  app.post(InviteRoute.Create, async (req, res) => {
    if (!(await withinRateLimit(req, res, options, 'join', options.createRateLimit))) return;
    const code = newInviteCode();
    try {
      const listing = await matchMaker.createRoom('arena', { inviteCode: code });
      log.info('private room created', { roomId: listing.roomId });
      res.status(201).json({ code, roomId: listing.roomId } satisfies InviteCreated);
    } catch (error) {
      log.warn('private room not created', { error });
      res
        .status(503)
        .set('retry-after', '5')
        .json({
          error: `no room could be made right now: ${error instanceof Error ? error.message : String(error)}`,
        } satisfies HttpError);
    }
  });

  app.get(`${InviteRoute.Lookup}/:code`, async (req, res) => {
    if (!(await withinRateLimit(req, res, options, INVITE_LOOKUP_BUCKET, options.lookupRateLimit))) return;
    const parsed = parseInviteCode(req.params.code);
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.error } satisfies HttpError);
      return;
    }
    const roomId = await lookUpInvite(matchMaker.presence, parsed.value).catch((error: unknown) => {
      log.warn('invite lookup failed', { error });
      return null;
    });
    if (roomId === null) {
      res
        .status(503)
        .set('retry-after', '5')
        .json({ error: 'invites cannot be looked up right now; try again in a few seconds' } satisfies HttpError);
    } else if (roomId === undefined) {
      res.status(404).json({ error: 'this invite has expired: its room has closed' } satisfies HttpError);
    } else {
      res.status(200).json({ roomId } satisfies InviteLookup);
    }
  });
}
