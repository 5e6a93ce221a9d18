/**
 * The edge of the HTTP server, in front of Colyseus's own request handling:
 *
 * - Bodies are bounded. Colyseus's matchmaking router reads a whole body into
 *   memory before looking at it; a POST larger than {@link MAX_BODY_BYTES}, or
 *   one without a declared length, is refused before a byte of it is read.
 * - Matchmaking errors get HTTP statuses that mean what happened. Colyseus
 *   answers an unknown room name, a vanished room or a failed seat with its
 *   own 52x codes as the HTTP status, which proxies, monitoring and clients
 *   all read as a server fault. The JSON body keeps Colyseus's code.
 */
import type http from 'node:http';
import type { Logger } from './logger.ts';

/** Largest request body accepted, in bytes; join options are a few dozen. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Colyseus matchmaking error codes → the HTTP status a client should see. */
const MATCHMAKE_STATUS: Readonly<Record<number, number>> = {
  520: 404, // MATCHMAKE_NO_HANDLER: no such room name or method
  521: 400, // MATCHMAKE_INVALID_CRITERIA
  522: 404, // MATCHMAKE_INVALID_ROOM_ID: no such room (or disposed)
  523: 503, // MATCHMAKE_UNHANDLED: no instance could take it right now
  524: 410, // MATCHMAKE_EXPIRED: the seat reservation is gone
  525: 401, // AUTH_FAILED
  526: 400, // APPLICATION_ERROR: a room refused the join
};

function refuse(res: http.ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error }));
}

/**
 * Put the guard in front of every `request` listener of `server` (call after
 * the Colyseus server listens, so its listeners are there to wrap).
 */
export function guardHttpServer(server: http.Server, log: Logger): void {
  const listeners = server.listeners('request') as Array<(req: http.IncomingMessage, res: http.ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      const declared = req.headers['content-length'];
      const chunked = req.headers['transfer-encoding'] !== undefined;
      if (chunked && declared === undefined) {
        refuse(res, 411, 'request bodies need a Content-Length');
        req.resume();
        return;
      }
      if (declared !== undefined && !(Number(declared) <= MAX_BODY_BYTES)) {
        log.warn('refused an oversized request body', { url: req.url?.slice(0, 100), contentLength: declared.slice(0, 20) });
        refuse(res, 413, `request body larger than ${MAX_BODY_BYTES} bytes`);
        req.destroy();
        return;
      }
    }
    if (req.url?.startsWith('/matchmake/')) translateMatchmakeStatus(res);
    for (const listener of listeners) listener.call(server, req, res);
  });
}

function translateMatchmakeStatus(res: http.ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => writeHead(MATCHMAKE_STATUS[status] ?? status, ...rest)) as typeof res.writeHead;
}
