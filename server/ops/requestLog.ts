/**
 * Request-scoped logging: every HTTP request gets a child logger whose
 * records carry the request's trace (Cloud Logging then shows them under
 * the request's entry), kept on `res.locals`.
 */
import type { Application, Response } from 'express';
import { traceFields, type Logger } from '../logger.ts';

const KEY = 'arenaLog';

/** Give every request a logger tied to its trace (`projectId` unset: a plain child). */
export function mountRequestLogging(app: Application, logger: Logger, projectId: string | undefined): void {
  app.use((req, res, next) => {
    const fields = traceFields(req.headers, projectId);
    res.locals[KEY] = Object.keys(fields).length > 0 ? logger.child(fields) : logger;
    next();
  });
}

/** The request's logger, or `fallback` for a request that did not pass through {@link mountRequestLogging}. */
export function requestLog(res: Response, fallback: Logger): Logger {
  const log = res.locals[KEY] as Logger | undefined;
  return log ?? fallback;
}
