/**
 * One run of the feel harness, in its own process: the real server built
 * in-process (so the harness knows the server's own clock), an impairment
 * proxy in front of it, and instrumented clients playing in one room through
 * the proxy. Prints one JSON line: the figures of the measured window.
 */
import { performance } from 'node:perf_hooks';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { freePort, sleep, waitFor } from '../../harness/net.ts';
import { BrowserPlayer } from './browser.ts';
import { FeelClient, ProbeBoard } from './client.ts';
import { startImpairmentProxy, type NetworkProfile } from './impairment.ts';
import { seededRandom } from '../../shared/random.ts';
import { quantile } from './stats.ts';

export interface RunOptions {
  profile: NetworkProfile;
  clients: number;
  warmupS: number;
  durationS: number;
  seed: number;
  /** Add a real browser player (chromium through the page's test hook). */
  browser?: boolean;
}

/** What one run measured over its window (after the warm-up). Times in ms. */
export interface RunResult {
  profile: NetworkProfile;
  clients: number;
  seconds: number;
  inputToOther: { p50: number; p99: number; samples: number; lost: number };
  remoteBehind: { p50: number; p99: number; samples: number };
  interpDelayP50: number;
  /** Frames from sampling a new direction to our own drawn player moving that way. */
  inputToOwnFrames: { p50: number; p99: number; samples: number };
  correctionsPerPlayerMinute: number;
  shots: {
    predicted: number;
    hitsOnScreen: number;
    hitsAgreed: number;
    serverHits: number;
    rejected: number;
    unseen: number;
    realigned: number;
    missesOnDeadTarget: number;
    deaths: number;
  };
  /** Inputs queued per client as each step started. */
  inputDepth: { p50: number; p99: number; worstClientP99: number; samples: number; leftAfterStepP99: number };
  lostChunks: number;
  /** The browser player's own figures, when one played. */
  browser?: {
    ownFrames: { p50: number; p99: number; samples: number };
    correctionsPerMinute: number;
    shots: { predicted: number; rejected: number; hitsOnScreen: number; hitsAgreed: number };
    interpDelayMs: number;
    rttMs: number;
  };
}

export async function runOnce(o: RunOptions): Promise<RunResult> {
  const port = await freePort();
  const config = loadConfig({ LOG_LEVEL: 'silent', CLIENT_DIST: 'dist/client', PORT: String(port) });
  const app = await buildApp(config, createLogger(config.logLevel, { service: 'feel' }));
  await app.listen(port);
  app.setReady(true);
  const random = seededRandom(o.seed);
  const impaired = o.profile.rttMs > 0 || o.profile.jitterMs > 0 || o.profile.lossPct > 0;
  const proxy = impaired ? await startImpairmentProxy(port, o.profile, seededRandom(o.seed * 7919)) : undefined;
  const url = `http://127.0.0.1:${proxy?.port ?? port}`;

  const board = new ProbeBoard();
  board.observers = o.clients;
  let room: ArenaRoom | undefined;
  // The room's own clock, read the way the room reads it: what "now" is on the server.
  const serverNow = (): number => (room ? room.clock.elapsedTime + (Date.now() - room.clock.currentTime) : 0);

  // Input depth per client, exactly as the room measures it (clients in order, once per step).
  const depths = new Map<string, number[]>();
  const metrics = app.metrics!;
  const observe = metrics.observeInputDepth.bind(metrics);
  let stepTick = -1;
  let index = 0;
  let measuring = false;
  metrics.observeInputDepth = (depth: number) => {
    observe(depth);
    if (!room || !measuring) return;
    if (room.state.tick !== stepTick) {
      stepTick = room.state.tick;
      index = 0;
    }
    const client = room.clients[index++];
    if (!client) return;
    const list = depths.get(client.sessionId) ?? [];
    list.push(depth);
    depths.set(client.sessionId, list);
  };

  // What is still queued right after each step (the step has taken its inputs; the patch follows): standing latency.
  const leftAfterStep: number[] = [];

  const clients: FeelClient[] = [];
  clients.push(await FeelClient.join(url, 'feel0', board, serverNow, random));
  const roomId = clients[0]!.room.roomId;
  room = [...app.arenaRooms].find((r) => r.roomId === roomId);
  if (!room) throw new Error('the harness room is not on this server');
  const serverRoom = room;
  const patch = serverRoom.broadcastPatch.bind(serverRoom);
  serverRoom.broadcastPatch = () => {
    if (measuring) for (const c of serverRoom.clients) leftAfterStep.push(serverRoom.inputs.get(c.sessionId).size);
    return patch();
  };
  for (let i = 1; i < o.clients; i++)
    clients.push(await FeelClient.join(url, `feel${i}`, board, serverNow, random, roomId));
  const browser = o.browser ? await BrowserPlayer.join(url, 'browser') : undefined;
  const players = o.clients + (browser ? 1 : 0);
  await waitFor(
    () => clients.every((c) => c.room.state.players?.size === players),
    'every client to see every player',
    20_000,
  );

  // Each client draws on its own 60 Hz frame clock, started at a random phase: players' frames
  // (and so their inputs) are not in step with each other or with the server's tick.
  const FRAME_MS = 1000 / 60;
  const frameTimers: NodeJS.Timeout[] = [];
  let framing = true;
  for (const c of clients) {
    let next = performance.now() + random() * 2 * FRAME_MS;
    const frame = (): void => {
      if (!framing) return;
      c.frame(performance.now());
      next += FRAME_MS;
      frameTimers.push(setTimeout(frame, Math.max(0, next - performance.now())));
      if (frameTimers.length > 64) frameTimers.splice(0, 32);
    };
    frameTimers.push(setTimeout(frame, Math.max(0, next - performance.now())));
  }
  const delays: number[] = [];
  const delaySampler = setInterval(() => {
    for (const c of clients) delays.push(c.net.interpDelayMs);
  }, 100);

  await sleep(o.warmupS * 1000);
  // The window starts now: everything before was the warm-up.
  board.latenciesMs.length = 0;
  board.lost = 0;
  for (const c of clients) {
    c.behindMs.length = 0;
    c.ownFrames.length = 0;
  }
  delays.length = 0;
  measuring = true;
  const corrections0 = clients.map((c) => c.net.corrections);
  const shots0 = clients.map((c) => c.net.shots.summary());
  const dead0 = clients.map((c) => ({ misses: c.missesOnDeadTarget, deaths: c.deaths }));
  const lost0 = proxy?.lostChunks() ?? 0;
  const browser0 = await browser?.feel();
  const startedAt = performance.now();
  await Promise.all([sleep(o.durationS * 1000), browser?.play(o.durationS * 1000)]);
  const seconds = (performance.now() - startedAt) / 1000;
  const browser1 = await browser?.feel();
  measuring = false;
  framing = false;
  for (const t of frameTimers) clearTimeout(t);
  clearInterval(delaySampler);

  const behind = clients.flatMap((c) => c.behindMs);
  const corrections = clients.reduce((n, c, i) => n + c.net.corrections - corrections0[i]!, 0);
  const shots = {
    predicted: 0,
    hitsOnScreen: 0,
    hitsAgreed: 0,
    serverHits: 0,
    rejected: 0,
    unseen: 0,
    realigned: 0,
    missesOnDeadTarget: 0,
    deaths: 0,
  };
  clients.forEach((c, i) => {
    const now = c.net.shots.summary();
    const before = shots0[i]!;
    for (const k of [
      'predicted',
      'hitsOnScreen',
      'hitsAgreed',
      'serverHits',
      'rejected',
      'unseen',
      'realigned',
    ] as const)
      shots[k] += now[k] - before[k];
    shots.missesOnDeadTarget += c.missesOnDeadTarget - dead0[i]!.misses;
    shots.deaths += c.deaths - dead0[i]!.deaths;
  });
  const allDepths = [...depths.values()].flat();
  const result: RunResult = {
    profile: o.profile,
    clients: o.clients,
    seconds,
    inputToOther: {
      p50: quantile(board.latenciesMs, 0.5),
      p99: quantile(board.latenciesMs, 0.99),
      samples: board.latenciesMs.length,
      lost: board.lost,
    },
    remoteBehind: { p50: quantile(behind, 0.5), p99: quantile(behind, 0.99), samples: behind.length },
    interpDelayP50: quantile(delays, 0.5),
    inputToOwnFrames: (() => {
      const own = clients.flatMap((c) => c.ownFrames);
      return { p50: quantile(own, 0.5), p99: quantile(own, 0.99), samples: own.length };
    })(),
    correctionsPerPlayerMinute: corrections / (o.clients * (seconds / 60)),
    shots,
    inputDepth: {
      p50: quantile(allDepths, 0.5),
      p99: quantile(allDepths, 0.99),
      worstClientP99: Math.max(...[...depths.values()].map((d) => quantile(d, 0.99))),
      samples: allDepths.length,
      leftAfterStepP99: quantile(leftAfterStep, 0.99),
    },
    lostChunks: (proxy?.lostChunks() ?? 0) - lost0,
  };

  if (browser0 && browser1) {
    const own = browser1.ownFrames.slice(browser0.ownFrames.length);
    const a = browser0.stats.shots;
    const b = browser1.stats.shots;
    result.browser = {
      ownFrames: { p50: quantile(own, 0.5), p99: quantile(own, 0.99), samples: own.length },
      correctionsPerMinute: (browser1.stats.corrections - browser0.stats.corrections) / (seconds / 60),
      shots: {
        predicted: b.predicted - a.predicted,
        rejected: b.rejected - a.rejected,
        hitsOnScreen: b.hitsOnScreen - a.hitsOnScreen,
        hitsAgreed: b.hitsAgreed - a.hitsAgreed,
      },
      interpDelayMs: browser1.stats.interpDelayMs,
      rttMs: browser1.stats.rttMs,
    };
  }
  await browser?.close();
  await Promise.all(clients.map((c) => c.leave()));
  await proxy?.close();
  await app.server.gracefullyShutdown(false);
  return result;
}

/** `node --import tsx bench/feel/run.ts '<RunOptions JSON>'`: one run, its result as one JSON line. */
if (import.meta.main) {
  const options = JSON.parse(process.argv[2] ?? '{}') as RunOptions;
  runOnce(options).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
