/**
 * Over 300 lines on purpose: each kind of real process (redis-server, game
 * instances, nginx) with its start, readiness check and clean-up, kept
 * together so one stopAll tracks every child.
 *
 * Real multi-instance set-ups for end-to-end tests and benchmarks: a private
 * `redis-server`, game server instances as child processes
 * (`node --import tsx server/index.ts`), and a real nginx in front as a
 * round-robin load balancer without affinity. Every child is tracked and
 * killed by {@link stopAll} (call it from `after`) and again when this
 * process exits, so a failing test never leaves a server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { ForwardMode } from '../server/cluster/forwarder.ts';
import { freePort, sleep, waitFor } from './net.ts';
import { nginxConf, type Balancing } from './nginxConf.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The repository's own Node 22 (the machine default may be older). */
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';
const LOG_TAIL_LINES = 40;
/**
 * Longest an instance may take to answer /readyz, in ms: a cap, not a wait.
 * tsx compiles the server on every start, which took over 30 s with a load
 * average of 34 on this 2-core machine (every cluster suite failed at its
 * start in one run); an idle machine needs about 2 s.
 */
const INSTANCE_START_CAP_MS = 120_000;

/** How instances forward sockets for rooms they do not own (the server's own type). */
export type { ForwardMode };
export type { Balancing };

interface Tracked {
  name: string;
  child: ChildProcess;
  /** Signal that stops it for good (nginx's master must take its workers down with it). */
  stopSignal: NodeJS.Signals;
  log: string[];
  exited: Promise<void>;
}

const tracked: Tracked[] = [];
const tempDirs: string[] = [];
/** Connections the tests opened to their Redis; closed by {@link stopAll} so nothing keeps the process alive. */
const redisClients = new Set<Redis>();

function killEverything(): void {
  for (const t of tracked) {
    if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill(t.stopSignal);
  }
}

process.on('exit', (code) => {
  killEverything();
  if (code !== 0) {
    // A failed run: show what the servers said last, since their output is captured.
    for (const t of tracked) {
      if (t.log.length > 0) process.stderr.write(`\n--- last output of ${t.name} ---\n${t.log.join('')}\n`);
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killEverything();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

function track(name: string, child: ChildProcess, stopSignal: NodeJS.Signals): Tracked {
  const log: string[] = [];
  const keep = (chunk: Buffer): void => {
    log.push(chunk.toString());
    if (log.length > LOG_TAIL_LINES) log.splice(0, log.length - LOG_TAIL_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const t: Tracked = { name, child, stopSignal, log, exited };
  tracked.push(t);
  return t;
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Kill every child started through this module and wait until they are gone. */
export async function stopAll(): Promise<void> {
  for (const client of redisClients) client.disconnect();
  redisClients.clear();
  killEverything();
  await Promise.all(
    tracked.map((t) =>
      Promise.race([
        t.exited,
        sleep(5000).then(() => {
          if (isRunning(t.child)) t.child.kill('SIGKILL');
          return t.exited;
        }),
      ]),
    ),
  );
  tracked.length = 0;
}

function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export interface RedisServer {
  port: number;
  pid: number;
  url: string;
  /** A connection of the test's own, for inspecting keys (closed by {@link RedisServer.stop}). */
  client: Redis;
  /** Kill the server (SIGKILL: no goodbye to clients), leaving the port free. */
  kill(): Promise<void>;
  /** Start it again on the same port, empty (nothing is persisted), and wait until it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Start a private, non-persistent `redis-server` on a free loopback port. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const launch = (): { child: ChildProcess; t: Tracked } => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return { child, t: track(`redis-server :${port}`, child, 'SIGKILL') };
  };
  let { child, t } = launch();
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 100,
  });
  client.on('error', () => undefined);
  redisClients.add(client);
  const answers = (): Promise<void> =>
    waitFor(
      async () => {
        if (!isRunning(child)) throw new Error(`redis-server exited early:\n${t.log.join('')}`);
        try {
          if (client.status === 'wait' || client.status === 'end') await client.connect();
          return (await client.ping()) === 'PONG';
        } catch {
          return false;
        }
      },
      `redis-server on port ${port}`,
      10_000,
      50,
    );
  await answers();
  return {
    port,
    get pid() {
      return child.pid!;
    },
    url: `redis://127.0.0.1:${port}`,
    client,
    async kill() {
      child.kill('SIGKILL');
      await t.exited;
    },
    async restart() {
      ({ child, t } = launch());
      await answers();
    },
    async stop() {
      client.disconnect();
      redisClients.delete(client);
      if (isRunning(child)) child.kill('SIGKILL');
      await t.exited;
    },
  };
}

export interface Instance {
  /** Label for messages, e.g. `A`. */
  name: string;
  port: number;
  url: string;
  /** Colyseus processId, read from the instance registry in Redis once ready. */
  processId: string;
  pid: number;
  child: ChildProcess;
  /** SIGKILL (default) or another signal; resolves when the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  alive(): boolean;
}

export interface InstanceOptions {
  name: string;
  redis: RedisServer;
  mode: ForwardMode;
  /** Extra environment (e.g. `MAX_PLAYERS`). */
  env?: Record<string, string>;
  /** Checkout to run the server from (default: this one); the bench runs an older build from a git worktree. */
  root?: string;
  /** Node options before the server's entry (e.g. `['--import', './bench/profileHook.ts']`). */
  nodeArgs?: string[];
  /** No `REDIS_URL`: a lone server that knows no other (the bench's control for what several processes cost by themselves). */
  standalone?: boolean;
}

/** Child processes of `pid` (nginx's workers), from /proc. */
export function workerPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/u).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET `url` and tell whether it answered 200. */
async function answers200(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Start one game server instance in cluster mode and wait for `GET /readyz` 200. */
export async function startInstance(options: InstanceOptions): Promise<Instance> {
  const port = await freePort();
  const child = spawn(NODE, ['--import', 'tsx', ...(options.nodeArgs ?? []), 'server/index.ts'], {
    cwd: options.root ?? ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: options.standalone ? '' : options.redis.url,
      FORWARD_MODE: options.mode,
      ADVERTISE_ADDRESS: `127.0.0.1:${port}`,
      LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? 'warn',
      CLIENT_DIST: 'dist/client',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const t = track(`instance ${options.name} :${port} (${options.mode})`, child, 'SIGKILL');
  // For debugging a run: CLUSTER_LOG_DIR=/tmp/x keeps every instance's whole output.
  if (process.env.CLUSTER_LOG_DIR) {
    const file = createWriteStream(path.join(process.env.CLUSTER_LOG_DIR, `instance-${options.name}-${port}.log`));
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!isRunning(child)) throw new Error(`instance ${options.name} exited early:\n${t.log.join('')}`);
      return answers200(`${url}/readyz`);
    },
    `instance ${options.name} /readyz`,
    INSTANCE_START_CAP_MS,
    100,
  );
  const processId = options.standalone ? `standalone-${port}` : await processIdOfPort(options.redis.client, port);
  return {
    name: options.name,
    port,
    url,
    processId,
    pid: child.pid!,
    child,
    alive: () => isRunning(child),
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (isRunning(child)) child.kill(signal);
      await t.exited;
    },
  };
}

/** Start several instances at once (they boot in parallel). */
export async function startInstances(
  redis: RedisServer,
  mode: ForwardMode,
  names: string[],
  env: Record<string, string> = {},
  root?: string,
): Promise<Instance[]> {
  return Promise.all(
    names.map((name) => startInstance({ name, redis, mode, env, ...(root === undefined ? {} : { root }) })),
  );
}

/** The processId of the registered instance whose advertised port is `port`. */
async function processIdOfPort(redis: Redis, port: number): Promise<string> {
  let found: string | undefined;
  await waitFor(
    async () => {
      for (const info of await registeredInstances(redis)) if (info.port === port) found = info.processId;
      return found !== undefined;
    },
    `instance on port ${port} in the Redis registry`,
    10_000,
    50,
  );
  return found!;
}

/** Every instance in the registry with a live heartbeat key. */
export async function registeredInstances(
  redis: Redis,
): Promise<{ processId: string; port: number; address: string }[]> {
  const ids = await redis.smembers('arena:instances');
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map((id) => `arena:instance:${id}`));
  return values
    .filter((v): v is string => v !== null)
    .map((v) => JSON.parse(v) as { processId: string; port: number; address: string });
}

/** The matchmaking listing (Redis hash `roomcaches`): roomId → owner processId and room name. */
export async function roomCaches(
  redis: Redis,
): Promise<Map<string, { processId: string; name: string; clients: number }>> {
  const all = await redis.hgetall('roomcaches');
  const out = new Map<string, { processId: string; name: string; clients: number }>();
  for (const [roomId, raw] of Object.entries(all)) {
    const room = JSON.parse(raw) as { processId: string; name: string; clients: number };
    out.set(roomId, { processId: room.processId, name: room.name, clients: room.clients });
  }
  return out;
}

export interface Nginx {
  port: number;
  url: string;
  /** The master process (its workers are its children). */
  pid: number;
  /** Lines of the access log as `request_uri upstream_addr status` (written when a request ends). */
  accessLog(): string[];
  /**
   * Cut every client connection at once, as a load balancer restart or a
   * network blip does, while new connections keep being accepted: a reload
   * starts a new worker, and the old one drops its connections.
   */
  cutAllConnections(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start nginx as the load balancer over `upstreamPorts` (see `nginxConf.ts`:
 * round robin by default, WebSocket upgrades passed through, long timeouts),
 * with an access log. Waits until `/readyz` answers through it.
 */
export async function startNginx(upstreamPorts: number[], balancing: Balancing = 'round-robin'): Promise<Nginx> {
  const dir = makeTempDir('arena-nginx-');
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  const accessLogPath = path.join(dir, 'access.log');
  writeFileSync(conf, nginxConf({ dir, port, upstreamPorts, balancing, accessLogPath }));
  // SIGTERM: the master shuts its worker down too (SIGKILL would orphan the worker).
  const child = spawn(NGINX, ['-c', conf, '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const t = track(`nginx :${port}`, child, 'SIGTERM');
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!isRunning(child)) {
        let errors = '';
        try {
          errors = readFileSync(path.join(dir, 'error.log'), 'utf8');
        } catch {
          // no log yet
        }
        throw new Error(`nginx exited early:\n${t.log.join('')}\n${errors}`);
      }
      return answers200(`${url}/readyz`);
    },
    'nginx in front of the instances',
    10_000,
    50,
  );
  return {
    port,
    url,
    pid: child.pid!,
    accessLog() {
      try {
        return readFileSync(accessLogPath, 'utf8')
          .split('\n')
          .filter((line) => line.length > 0);
      } catch {
        return [];
      }
    },
    async cutAllConnections() {
      const workersBefore = workerPids(child.pid!);
      child.kill('SIGHUP');
      await waitFor(
        () => workersBefore.every((pid) => !pidAlive(pid)),
        'the old nginx worker to close its connections and exit',
        5000,
        10,
      );
    },
    async stop() {
      if (isRunning(child)) child.kill('SIGTERM');
      await Promise.race([t.exited, sleep(5000)]);
      if (isRunning(child)) child.kill('SIGKILL');
      await t.exited;
    },
  };
}

/**
 * For each room WebSocket nginx carried (`/<processId>/<roomId>?sessionId=…`),
 * the sessionId and the port of the instance nginx handed it to (the last one
 * tried when nginx had to retry). Only complete requests are logged, so a
 * connection shows up here once it has closed. A session logged more than
 * once (reconnections) keeps its first entry, or its last with `keep: 'last'`.
 */
export function roomSocketsInLog(
  lines: string[],
  keep: 'first' | 'last' = 'last',
): Map<string, { processId: string; roomId: string; upstreamPort: number }> {
  const out = new Map<string, { processId: string; roomId: string; upstreamPort: number }>();
  for (const line of lines) {
    const [uri, ...rest] = line.split(' ');
    const match = /^\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)\?(?:.*&)?sessionId=([A-Za-z0-9_-]+)/u.exec(uri ?? '');
    if (!match) continue;
    const upstreams = rest.slice(0, -1).join(' ').split(',');
    const last = upstreams[upstreams.length - 1]!.trim();
    if (keep === 'first' && out.has(match[3]!)) continue;
    out.set(match[3]!, {
      processId: match[1]!,
      roomId: match[2]!,
      upstreamPort: Number(last.slice(last.lastIndexOf(':') + 1)),
    });
  }
  return out;
}

/** Forwarding counters of one instance, read from its Prometheus `/metrics`. */
export async function forwardStats(
  instance: Pick<Instance, 'url'>,
): Promise<{ opened: number; active: number; failed: number }> {
  const res = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`GET ${instance.url}/metrics answered ${res.status}`);
  const text = await res.text();
  const read = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    if (!line) throw new Error(`${name} missing from ${instance.url}/metrics`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return {
    opened: read('arena_forwarded_connections_opened_total'),
    active: read('arena_forwarded_connections_active'),
    failed: read('arena_forwarded_connections_failed_total'),
  };
}

/** CPU time (user + system, in clock ticks) a process has used so far, from `/proc/<pid>/stat`. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state = field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
}

/** The parts of an SDK room the echo probe uses. */
export interface EchoRoom {
  request(type: string): Promise<unknown>;
}

/**
 * Round trips with an arena room without adding anything to it: a request
 * (Colyseus's ROOM_REQUEST) of a type `echo-<seq>` that the room has no
 * handler for is answered by Colyseus itself with an error naming that type,
 * so every request carries a sequence number there and back. (Plain messages
 * of unknown types would cost the client strikes and finally its connection.) The probe records the sequence numbers in the order their answers
 * arrive, which shows loss (a number missing), duplication and reordering.
 *
 * The room cuts off a client sending more than 120 frames a second, so callers
 * pace their sends (see {@link EchoProbe.sendPaced}).
 */
export class EchoProbe {
  /** Sequence numbers of answers, in arrival order. */
  readonly received: number[] = [];
  /** Notices that were not answers to a probe (should stay empty). */
  readonly strays: string[] = [];
  private sent = 0;
  private waiter: { count: number; resolve: () => void } | undefined;
  private stopped = false;

  constructor(private readonly room: EchoRoom) {}

  private answered(error: unknown): void {
    if (this.stopped) return;
    const message = error instanceof Error ? error.message : String(error);
    const match = /onMessage\("echo-(\d+)"\)/u.exec(message);
    if (!match) {
      this.strays.push(message);
      return;
    }
    this.received.push(Number(match[1]));
    if (this.waiter && this.received.length >= this.waiter.count) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve();
    }
  }

  get sentCount(): number {
    return this.sent;
  }

  /** Send the next probe; returns its sequence number. */
  send(): number {
    const seq = this.sent++;
    this.room.request(`echo-${seq}`).then(
      () => this.strays.push(`echo-${seq} was answered OK`),
      (error: unknown) => this.answered(error),
    );
    return seq;
  }

  /** Resolve once `count` answers in total have arrived; reject after `timeoutMs`. */
  waitForAnswers(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`only ${this.received.length} of ${count} echo answers arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  /** One sequential round trip; resolves with its duration in ms. */
  async roundTrip(timeoutMs = 10_000): Promise<number> {
    const started = performance.now();
    this.send();
    await this.waitForAnswers(this.sent, timeoutMs);
    return performance.now() - started;
  }

  /**
   * Send `total` probes in bursts of `burst` (kept in flight together, so a
   * reordering hop would show) at most every `intervalMs`, waiting for each
   * burst's answers before the next: `burst * 1000 / intervalMs` frames a
   * second at most, under the room's flood limit.
   */
  async sendPaced(total: number, burst: number, intervalMs: number): Promise<void> {
    let nextAt = 0;
    while (this.sent < total) {
      const wait = nextAt - performance.now();
      if (wait > 0) await sleep(wait);
      nextAt = performance.now() + intervalMs;
      const n = Math.min(burst, total - this.sent);
      for (let i = 0; i < n; i++) this.send();
      await this.waitForAnswers(this.sent);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.waiter) this.waiter = undefined;
  }
}
