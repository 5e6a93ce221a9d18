/**
 * Socket-level limits, in front of everything else on the HTTP server:
 *
 * - A socket must deliver a complete request head within
 *   {@link REQUEST_HEAD_TIMEOUT_MS} of connecting, and of finishing its
 *   previous response (keep-alive). Node's own `headersTimeout` does not close
 *   a socket that sends nothing, nor one that trickles a head (measured on
 *   Node 22: both still open after 40 s with `headersTimeout` at 2 s), so an
 *   idle or slowloris socket would hold a file descriptor forever.
 * - A client address may hold at most `maxPerAddress` open WebSockets on this
 *   instance; past it the upgrade is answered 429 and closed. Loopback
 *   addresses (load tests on the same machine) are not limited. The address
 *   is left on the request for rooms to read (`CLIENT_ADDRESS_HEADER`).
 * - A WebSocket that carries a `reconnectionToken` (the SDK reconnecting, or
 *   taking a hand-off seat) counts against the address's reconnection
 *   allowance, the same one as matchmaking's `reconnect`: guessing tokens
 *   over raw WebSockets is no cheaper than over HTTP.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.ts';
import { CLIENT_ADDRESS_HEADER, clientAddressOf, isLoopback } from './clientAddress.ts';
import type { RateLimiter } from './rateLimit.ts';

/** Time a socket has to send a whole request head (request line and headers), in milliseconds. */
export const REQUEST_HEAD_TIMEOUT_MS = 10_000;
/** `Retry-After` for an upgrade refused at the per-address connection cap, in seconds. */
const CONNECTION_RETRY_AFTER_S = 10;

export interface ConnectionLimits {
  /** How many proxies append to `X-Forwarded-For` (see `clientAddress.ts`). */
  trustProxyHops: number;
  /** Open WebSockets per client address; 0: no cap. */
  maxPerAddress: number;
  /** Override of {@link REQUEST_HEAD_TIMEOUT_MS}. */
  requestHeadTimeoutMs?: number;
  /** Reconnection allowance per address and window (`RECONNECT_RATE_LIMIT`; 0: none). */
  reconnects?: { limiter: RateLimiter; limit: number };
}

type UpgradeListener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Live counts of what {@link guardConnections} watches, for tests and diagnostics. */
export interface ConnectionCounts {
  /** Open WebSocket upgrades per limited address. */
  readonly perAddress: ReadonlyMap<string, number>;
}

/**
 * Install the limits on `server`. Call after every `upgrade` listener is
 * attached (the Colyseus transport's, the cluster forwarder's): they are
 * wrapped so the cap runs first.
 */
export function guardConnections(server: http.Server, limits: ConnectionLimits, log: Logger): ConnectionCounts {
  const headTimeoutMs = limits.requestHeadTimeoutMs ?? REQUEST_HEAD_TIMEOUT_MS;
  const timers = new WeakMap<Duplex, NodeJS.Timeout>();
  const arm = (socket: Duplex): void => {
    clearTimeout(timers.get(socket));
    const timer = setTimeout(() => socket.destroy(), headTimeoutMs);
    timer.unref();
    timers.set(socket, timer);
  };
  const disarm = (socket: Duplex): void => {
    clearTimeout(timers.get(socket));
    timers.delete(socket);
  };
  server.on('connection', (socket: Duplex) => {
    arm(socket);
    socket.once('close', () => disarm(socket));
  });
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    disarm(req.socket);
    // The next request on a kept-alive socket gets the same deadline for its head.
    res.once('finish', () => {
      if (!req.socket.destroyed) arm(req.socket);
    });
  });

  const open = new Map<string, number>();
  const listeners = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    disarm(socket);
    const address = clientAddressOf(req, limits.trustProxyHops);
    req.headers[CLIENT_ADDRESS_HEADER] = address;
    if (limits.maxPerAddress > 0) {
      if (!isLoopback(address)) {
        const count = open.get(address) ?? 0;
        if (count >= limits.maxPerAddress) {
          log.debug('refused a WebSocket over the per-address cap', { address, cap: limits.maxPerAddress });
          refuseUpgrade(
            socket,
            `too many open connections from your address (at most ${limits.maxPerAddress})`,
            CONNECTION_RETRY_AFTER_S,
          );
          return;
        }
        open.set(address, count + 1);
        socket.once('close', () => {
          const left = (open.get(address) ?? 1) - 1;
          if (left <= 0) open.delete(address);
          else open.set(address, left);
        });
      }
    }
    const pass = (): void => {
      for (const listener of listeners) listener.call(server, req, socket, head);
    };
    const reconnects = limits.reconnects;
    if (!reconnects || reconnects.limit <= 0 || isLoopback(address) || !/[?&]reconnectionToken=/u.test(req.url ?? '')) {
      pass();
      return;
    }
    socket.on('error', () => undefined);
    void reconnects.limiter.take('reconnect', address, reconnects.limit).then((decision) => {
      if (socket.destroyed) return;
      if (decision.allowed) pass();
      else
        refuseUpgrade(
          socket,
          `too many reconnections from your address; retry in ${decision.retryAfterS} s`,
          decision.retryAfterS,
        );
    });
  });
  return { perAddress: open };
}

function refuseUpgrade(socket: Duplex, error: string, retryAfterS: number): void {
  const body = JSON.stringify({ error, retryAfterS });
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfterS}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
