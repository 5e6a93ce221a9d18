/**
 * The Colyseus monitor (`@colyseus/monitor`, the panel Colyseus users know)
 * at `/monitor/`, mounted only when `ADMIN_TOKEN` is set. It lists the rooms
 * of every instance (it queries the matchmaking driver, which in cluster
 * mode is Redis) and inspects any of them through Colyseus's remote room
 * calls, whichever instance the request reaches.
 *
 * Access needs the admin token, either as `Authorization: Bearer <token>`
 * (scripts) or as the password of HTTP Basic auth with any user name, so a
 * browser asks for it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { monitor } from '@colyseus/monitor';
import type { Application } from 'express';
import type { Logger } from '../logger.ts';
import { requestLog } from './requestLog.ts';

/** Where the panel lives. */
export const MONITOR_PATH = '/monitor';

function sameSecret(candidate: string, token: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

/** True when `header` carries `token` as a bearer token or as a Basic auth password (compared in constant time). */
export function adminAuthorized(header: string | undefined, token: string): boolean {
  if (header === undefined || header.length > 1024) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return sameSecret(value, token);
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && sameSecret(decoded.slice(colon + 1), token);
  }
  return false;
}

/** Mount the monitor behind the admin token (call only when one is configured). */
export function mountMonitor(app: Application, token: string, log: Logger): void {
  app.use(
    MONITOR_PATH,
    (req, res, next) => {
      if (adminAuthorized(req.get('authorization'), token)) return next();
      requestLog(res, log).warn('monitor request refused: missing or wrong admin token', {
        path: req.originalUrl.slice(0, 100),
      });
      res
        .status(401)
        .set('WWW-Authenticate', 'Basic realm="arena admin", charset="UTF-8"')
        .json({ error: 'the monitor needs the admin token (ADMIN_TOKEN)' });
    },
    monitor(),
  );
}
