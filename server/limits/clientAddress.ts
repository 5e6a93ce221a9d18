/**
 * Which address a request comes from, for per-address limits. Behind a load
 * balancer every socket comes from the balancer, so the client is read from
 * `X-Forwarded-For`, which each proxy extends with the address that connected
 * to it. Only the entries the trusted proxies appended can be believed: the
 * client may have sent any list it liked before the first of them.
 */
import type { IncomingMessage } from 'node:http';

/**
 * Header the connection guard sets on every WebSocket upgrade request to the
 * resolved client address (overwriting whatever a client sent), so rooms can
 * read it from their auth context.
 */
export const CLIENT_ADDRESS_HEADER = 'x-arena-client-address';

/** Longest `X-Forwarded-For` read, in characters; anything past it is ignored. */
const MAX_FORWARDED_CHARS = 2048;

/**
 * The client address of a request whose socket peer is `remoteAddress` and
 * whose `X-Forwarded-For` is `forwardedFor`, trusting the last `trustedHops`
 * proxies: the entry `trustedHops` places from the right of
 * `[...forwardedFor, remoteAddress]`. With fewer entries than that (a request
 * that did not come through every proxy), the left-most one.
 */
export function resolveClientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  const chain: string[] = [];
  if (trustedHops > 0 && forwardedFor !== undefined) {
    const joined = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).slice(-MAX_FORWARDED_CHARS);
    for (const part of joined.split(',')) {
      const entry = normalizeAddress(part.trim());
      if (entry !== '') chain.push(entry);
    }
  }
  chain.push(normalizeAddress(remoteAddress ?? 'unknown'));
  return chain[Math.max(0, chain.length - 1 - trustedHops)]!;
}

/** The client address of `req` (see {@link resolveClientAddress}). */
export function clientAddressOf(req: IncomingMessage, trustedHops: number): string {
  return resolveClientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedHops);
}

/** IPv4-mapped IPv6 as plain IPv4, lower case, bounded length (it becomes a map key). */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase().slice(0, 64);
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/**
 * True for loopback addresses (127.0.0.0/8, ::1): a load test, a bench or a
 * health check on the same machine. Per-address limits do not apply to them;
 * behind a proxy the client address is never loopback.
 */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/u.test(address);
}
