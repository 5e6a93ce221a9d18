/**
 * Forward a WebSocket upgrade to the owner instance over a direct TCP
 * connection and splice the two sockets. Bytes are piped untouched (no
 * WebSocket parsing on the middle hop): Node's stream pipe gives backpressure
 * both ways, and either side closing closes the other.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';

export interface ForwardStats {
  opened: number;
  active: number;
  failed: number;
}

/** Parse `host:port` (IPv6 hosts in brackets). */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/u.exec(address);
  if (!match) throw new Error(`bad instance address "${address}": expected host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}

/**
 * Open a TCP connection to `address`, replay `requestHead` + `head`, then pipe
 * `client` and the upstream into each other until either closes.
 * @param connectTimeoutMs give up on an owner that does not accept within this time (default 3000)
 */
export function spliceToAddress(
  client: Duplex,
  address: string,
  requestHead: Buffer,
  head: Buffer,
  stats: ForwardStats,
  connectTimeoutMs = 3000,
): void {
  const { host, port } = parseAddress(address);
  const upstream = net.connect({ host, port });
  stats.opened += 1;
  stats.active += 1;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    stats.active -= 1;
    client.destroy();
    upstream.destroy();
  };
  const timer = setTimeout(() => {
    stats.failed += 1;
    close();
  }, connectTimeoutMs);
  upstream.setNoDelay(true);
  if (client instanceof net.Socket) client.setNoDelay(true);
  upstream.once('connect', () => {
    clearTimeout(timer);
    upstream.write(requestHead);
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.on('error', () => {
    if (!closed && upstream.connecting) stats.failed += 1;
    close();
  });
  client.on('error', close);
  upstream.on('close', close);
  client.on('close', close);
}
