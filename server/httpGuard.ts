/**
 * The edge of the HTTP server, in front of Colyseus's own request handling:
 *
 * - Bodies are bounded. Colyseus's matchmaking router reads a whole body into
 *   memory before looking at it; a POST larger than {@link MAX_BODY_BYTES}, or
 *   one without a declared length, is refused before a byte of it is read.
 *   A request must arrive within {@link REQUEST_TIMEOUT_MS} (Node's default
 *   lets a slow sender hold a socket for five minutes).
 * - Matchmaking bodies are JSON objects. Colyseus parses other media types
 *   too and answers a malformed multipart body with a 500; it reads fields
 *   off the options unchecked, so `null`, or a reconnection without a token,
 *   becomes a TypeError inside it, answered 503 as if the server were at fault.
 * - Matchmaking errors get HTTP statuses that mean what happened. Colyseus
 *   answers an unknown room name, a vanished room or a failed seat with its
 *   own 52x codes as the HTTP status, which proxies, monitoring and clients
 *   all read as a server fault. The JSON body keeps Colyseus's code.
 */
import type http from 'node:http';
import { matchMaker, ServerError } from '@colyseus/core';
import { clientAddressOf, isLoopback } from './limits/clientAddress.ts';
import type { RateLimiter } from './limits/rateLimit.ts';
import type { Logger } from './logger.ts';
import { SERVER_ONLY_OPTION_KEYS } from './rooms/handoff.ts';

/** Largest request body accepted, in bytes; join options are a few dozen. */
export const MAX_BODY_BYTES = 16 * 1024;
/** Time a client has to send a whole request (headers and body), in milliseconds. */
export const REQUEST_TIMEOUT_MS = 15_000;
/** Time a client has to send the request headers, in milliseconds. */
const HEADERS_TIMEOUT_MS = 10_000;
/** Deepest nesting of join options (the options object itself is depth 1). */
export const MAX_OPTIONS_DEPTH = 4;
/** Most keys and array entries in join options, counted through every level. */
export const MAX_OPTIONS_ENTRIES = 32;
/** `Retry-After` on a 503 from matchmaking (no instance can take a new room right now), in seconds. */
export const FULL_RETRY_AFTER_S = 5;

/** Per-address matchmaking limits (see `limits/rateLimit.ts`). */
export interface MatchmakeLimits {
  limiter: RateLimiter;
  /** Proxies appending to `X-Forwarded-For` (see `limits/clientAddress.ts`). */
  trustProxyHops: number;
  /** `create`, `join`, `joinOrCreate`, `joinById` per address per window; 0: none. */
  joinRateLimit: number;
  /** `reconnect` per address per window; 0: none. */
  reconnectRateLimit: number;
}

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
 * the Colyseus server listens, so its listeners are there to wrap), and
 * check matchmaking options before Colyseus reads them.
 */
export function guardHttpServer(server: http.Server, log: Logger, limits?: MatchmakeLimits): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  guardMatchmakeOptions();
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
        log.warn('refused an oversized request body', {
          url: req.url?.slice(0, 100),
          contentLength: declared.slice(0, 20),
        });
        refuse(res, 413, `request body larger than ${MAX_BODY_BYTES} bytes`);
        req.destroy();
        return;
      }
    }
    if (req.url?.startsWith('/matchmake/')) {
      if (method === 'POST' && !isJson(req.headers['content-type'])) {
        refuse(res, 415, 'matchmaking requests need Content-Type: application/json');
        req.resume();
        return;
      }
      translateMatchmakeStatus(res);
      if (method === 'POST') {
        void withinRateLimit(req, res, limits).then(async (allowed) => {
          if (!allowed) {
            req.resume();
            return;
          }
          // Read the (bounded) body here and hand it over whole: Colyseus's router turns a
          // client that hangs up mid-body into a 500 and a stack trace on stderr.
          const body = await readBody(req);
          if (body === undefined) return; // the client went away (or was too slow)
          if (body.length > 0) (req as http.IncomingMessage & { body?: string }).body = body;
          forward(req, res);
        });
        return;
      }
    }
    forward(req, res);
  });
  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    for (const listener of listeners) listener.call(server, req, res);
  };
}

/**
 * Count a matchmaking request against its client address; answer 429 (with
 * `Retry-After`) and resolve false when over the limit.
 */
async function withinRateLimit(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  limits: MatchmakeLimits | undefined,
): Promise<boolean> {
  if (!limits) return true;
  const method = /^\/matchmake\/(\w+)\//u.exec(req.url ?? '')?.[1] ?? '';
  const reconnect = method === 'reconnect';
  const limit = reconnect ? limits.reconnectRateLimit : limits.joinRateLimit;
  if (limit <= 0) return true;
  const address = clientAddressOf(req, limits.trustProxyHops);
  if (isLoopback(address)) return true;
  const decision = await limits.limiter.take(reconnect ? 'reconnect' : 'join', address, limit);
  if (decision.allowed) return true;
  res.setHeader('retry-after', String(decision.retryAfterS));
  res.writeHead(429, { 'content-type': 'application/json', connection: 'close' });
  res.end(
    JSON.stringify({
      error: `too many ${reconnect ? 'reconnections' : 'matchmaking requests'} from your address; retry in ${decision.retryAfterS} s`,
      retryAfterS: decision.retryAfterS,
    }),
  );
  return false;
}

/** The request body as text, or undefined when the client hangs up (or takes too long) before it ends. */
function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    // Node's requestTimeout does not close a socket trickling its body: do it here.
    const timer = setTimeout(() => {
      resolve(undefined);
      req.socket.destroy();
    }, REQUEST_TIMEOUT_MS);
    timer.unref();
    req.on('close', () => clearTimeout(timer));
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

function translateMatchmakeStatus(res: http.ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const translated = MATCHMAKE_STATUS[status] ?? status;
    if (translated === 503 && !res.headersSent && !res.hasHeader('retry-after'))
      res.setHeader('retry-after', String(FULL_RETRY_AFTER_S));
    return writeHead(translated, ...rest);
  }) as typeof res.writeHead;
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Why `options` are no valid body for matchmaking `method`, or undefined when they are. */
export function matchmakeOptionsProblem(method: string, options: unknown): string | undefined {
  if (options === undefined) return undefined; // an empty body: Colyseus uses {}
  if (typeof options !== 'object' || options === null) return 'matchmaking options must be an object';
  const shape = optionsShapeProblem(options);
  if (shape !== undefined) return shape;
  for (const key of SERVER_ONLY_OPTION_KEYS) {
    if (Object.hasOwn(options, key)) return `${key} is not a join option`;
  }
  if (method === 'reconnect' && typeof (options as { reconnectionToken?: unknown }).reconnectionToken !== 'string') {
    return 'reconnectionToken must be a string';
  }
  return undefined;
}

/** Why `options` nest too deep or hold too much, walked without recursion (the input may nest thousands deep). */
function optionsShapeProblem(options: object): string | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: options, depth: 1 }];
  let entries = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_OPTIONS_DEPTH) return `matchmaking options nest deeper than ${MAX_OPTIONS_DEPTH} levels`;
    for (const [key, child] of Object.entries(value)) {
      entries += 1;
      if (entries > MAX_OPTIONS_ENTRIES) return `matchmaking options hold more than ${MAX_OPTIONS_ENTRIES} entries`;
      // Colyseus deep-merges options into the room's: no prototype keys anywhere.
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') return `"${key}" is not an option name`;
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}

const OPTIONS_GUARDED = Symbol.for('arena.matchmakeOptionsGuarded');

/** Wrap Colyseus's matchmaking entry point (its documented override point) once per process. */
function guardMatchmakeOptions(): void {
  const controller = matchMaker.controller as typeof matchMaker.controller & { [OPTIONS_GUARDED]?: true };
  if (controller[OPTIONS_GUARDED]) return;
  controller[OPTIONS_GUARDED] = true;
  const invoke = controller.invokeMethod.bind(controller);
  controller.invokeMethod = async (method, roomName, clientOptions, authOptions) => {
    const problem = matchmakeOptionsProblem(method, clientOptions);
    if (problem !== undefined) throw new ServerError(400, problem);
    return invoke(method, roomName, clientOptions, authOptions);
  };
}
