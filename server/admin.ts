/**
 * Admin endpoints, mounted only when `ADMIN_TOKEN` is set and answered only
 * with `Authorization: Bearer <token>`:
 *
 * - `POST /admin/rooms/:roomId/handoff` moves an arena room to another
 *   instance (rebalancing), whichever instance hosts it and whichever
 *   instance the request reaches. Answers 200 with where it went, 404 for an
 *   unknown room, 409 when no other instance can take it or when another
 *   hand-off of the room is under way (the body then says where it goes:
 *   `toRoomId`, `toProcessId`); one hand-off per room at a time.
 */
import { matchMaker } from '@colyseus/core';
import type { Application, Request, Response } from 'express';
import type { Logger } from './logger.ts';
import { bearerMatches } from './auth.ts';
import { requestLog } from './ops/requestLog.ts';
import type { HandoffResult } from './rooms/handoff.ts';

const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/u;
/** A hand-off waits up to 3 s for clients to move; leave room for the IPC round trips. */
const HANDOFF_CALL_TIMEOUT_MS = 10_000;

/** Mount the admin routes on `app` (call only when a token is configured). */
export function mountAdminRoutes(app: Application, token: string, log: Logger): void {
  const authorized = (req: Request, res: Response): boolean => {
    if (bearerMatches(req.get('authorization'), token)) return true;
    requestLog(res, log).warn('admin request refused: missing or wrong bearer token', { path: req.path.slice(0, 100) });
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer')
      .json({ error: 'admin endpoints need a bearer token (ADMIN_TOKEN)' });
    return false;
  };

  app.post('/admin/rooms/:roomId/handoff', async (req, res) => {
    if (!authorized(req, res)) return;
    const roomId = String(req.params.roomId);
    if (!ROOM_ID.test(roomId)) {
      res.status(400).json({ error: 'roomId must be 1-64 letters, digits, _ or -' });
      return;
    }
    const listing = await matchMaker.getRoomById(roomId).catch(() => undefined);
    if (listing?.name !== 'arena') {
      res.status(404).json({ error: `no arena room ${roomId}` });
      return;
    }
    try {
      const result = (await matchMaker.remoteRoomCall(roomId, 'handOff', [], HANDOFF_CALL_TIMEOUT_MS)) as HandoffResult;
      if (result.alreadyUnderWay) {
        res.status(409).json({ error: `a hand-off of room ${roomId} is already under way`, ...result });
        return;
      }
      requestLog(res, log).info('admin hand-off done', { ...result });
      res.status(200).json(result);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const unavailable = /no (other )?(live )?instance/u.test(message);
      requestLog(res, log).warn('admin hand-off failed', { roomId, error: message });
      res.status(unavailable ? 409 : 502).json({ error: message });
    }
  });
}
