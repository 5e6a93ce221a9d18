/**
 * A user-space network impairment proxy (this kernel has no `netem`): every
 * TCP connection to it is carried to the target, each chunk of bytes delayed
 * by half the round trip ± jitter in its direction. "Loss" is what TCP makes
 * of a lost segment: nothing is dropped, but the chunk is held for a
 * retransmission timeout, and everything behind it on that connection waits
 * too (head-of-line blocking), because TCP delivers in order.
 *
 * The model ({@link ImpairedDirection}) is pure and takes its random source
 * and clock from the caller; the proxy ({@link startImpairmentProxy}) wires
 * it to sockets.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** A simulated network path. */
export interface NetworkProfile {
  /** Round-trip time added, ms (half each way). */
  rttMs: number;
  /** Each chunk's one-way delay varies uniformly by ± this, ms. */
  jitterMs: number;
  /** Share of chunks lost, percent (0–100), each held for {@link retransmitMs}. */
  lossPct: number;
}

/**
 * How long a lost chunk is held, ms: Linux retransmits after about one
 * smoothed RTT plus its 200 ms minimum timeout (`TCP_RTO_MIN`).
 */
export function retransmitMs(profile: NetworkProfile): number {
  return profile.rttMs + 200;
}

/** One direction of one connection: when each chunk is delivered. */
export class ImpairedDirection {
  private lastDeliveryMs = Number.NEGATIVE_INFINITY;
  /** Chunks held for a retransmission so far. */
  lost = 0;

  constructor(
    private readonly profile: NetworkProfile,
    private readonly random: () => number,
  ) {}

  /** A chunk leaving at `nowMs` is delivered at the returned time (ms, never before an earlier chunk). */
  schedule(nowMs: number): number {
    const p = this.profile;
    let at = nowMs + p.rttMs / 2 + (this.random() * 2 - 1) * p.jitterMs;
    if (p.lossPct > 0 && this.random() * 100 < p.lossPct) {
      at += retransmitMs(p);
      this.lost += 1;
    }
    at = Math.max(at, nowMs, this.lastDeliveryMs);
    this.lastDeliveryMs = at;
    return at;
  }
}

/** Writes chunks to a socket at their scheduled times, in order, with one timer. */
class DelayedPipe {
  private readonly queue: Array<{ at: number; chunk: Buffer }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly to: net.Socket,
    private readonly direction: ImpairedDirection,
  ) {}

  push(chunk: Buffer): void {
    const now = performance.now();
    this.queue.push({ at: this.direction.schedule(now), chunk });
    if (this.timer === undefined) this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.flush(), Math.max(0, head.at - performance.now()));
  }

  private flush(): void {
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) {
      const { chunk } = this.queue.shift()!;
      if (!this.to.destroyed) this.to.write(chunk);
    }
    this.arm();
  }

  /** Once everything queued is written, end the other side too. */
  endAfterFlush(): void {
    const check = (): void => {
      if (this.queue.length === 0) this.to.end();
      else setTimeout(check, 10).unref();
    };
    check();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

export interface ImpairmentProxy {
  port: number;
  /** Chunks held for a retransmission so far, both directions of every connection. */
  lostChunks(): number;
  close(): Promise<void>;
}

/**
 * Listen on a free loopback port and carry every connection to
 * `targetHost:targetPort` through `profile`.
 */
export async function startImpairmentProxy(
  targetPort: number,
  profile: NetworkProfile,
  random: () => number,
  targetHost = '127.0.0.1',
): Promise<ImpairmentProxy> {
  const directions: ImpairedDirection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect(targetPort, targetHost);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    const up = new ImpairedDirection(profile, random);
    const down = new ImpairedDirection(profile, random);
    directions.push(up, down);
    const toServer = new DelayedPipe(upstream, up);
    const toClient = new DelayedPipe(client, down);
    client.on('data', (chunk: Buffer) => toServer.push(chunk));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
    client.on('end', () => toServer.endAfterFlush());
    upstream.on('end', () => toClient.endAfterFlush());
    const close = (): void => {
      toServer.stop();
      toClient.stop();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => setTimeout(close, profile.rttMs + retransmitMs(profile)).unref());
    upstream.on('close', () => setTimeout(close, profile.rttMs + retransmitMs(profile)).unref());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    lostChunks: () => directions.reduce((n, d) => n + d.lost, 0),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
