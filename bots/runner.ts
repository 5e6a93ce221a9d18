/**
 * Runs a load test: brings bots in over the ramp, ticks them at the server's
 * rate, samples everything once a second (live line and time series), scrapes
 * the server's `/metrics`, and at the end has every bot leave and builds the
 * report. The measured window starts when the ramp ends.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { TICK_RATE_HZ } from '../shared/constants.ts';
import { Bot, type Behaviour } from './bot.ts';
import { checkSdkInternals } from './sdkInternals.ts';
import { seededRandom } from '../shared/random.ts';
import { Collector, counterDelta, type CounterSnapshot } from './collector.ts';
import type { RunOptions } from './options.ts';
import { progressLine, type BotReport, type RunSummary, type SeriesPoint } from './report.ts';
import { writeReport, type ReportFiles } from './reportFiles.ts';
import { serverWindow, ServerScraper, type ServerPoint, type ServerWindow } from './scrape.ts';
import { evaluateSlos } from './slo.ts';
import { partStages, peakTarget, targetAt } from './stages.ts';
import { reportSummary, roundForReport } from './stats.ts';
import { Pacer } from './pacer.ts';
import { Worlds } from './world.ts';
import { sleep } from '../common/sleep.ts';

/** Joins in flight at once: enough to ramp fast, few enough not to look like a flood. */
const MAX_CONCURRENT_JOINS = 32;
/** A bot whose join fails tries again after this long, this many times in all. */
const JOIN_RETRY_DELAY_MS = 1000;
const JOIN_ATTEMPTS = 3;

export interface RunResult {
  report: BotReport;
  /** Paths of the files written (none without a report directory). */
  files: ReportFiles;
}

export interface RunIo {
  /** Where the live line and the summary table go. */
  out: NodeJS.WritableStream;
  /** Ends the run early (the report is still built). */
  signal?: AbortSignal;
  /** Called with every once-a-second sample (worker threads pass them to the coordinator). */
  onSample?: (point: SeriesPoint) => void;
  /** Write no summary table (a worker's part is summed up by the coordinator). */
  noSummary?: boolean;
}

/** Whether bot `i` plays: movers are spread evenly over join order, so every room gets its share. */
export function behaviourOf(i: number, moversShare: number): Behaviour {
  return Math.floor((i + 1) * moversShare) > Math.floor(i * moversShare) ? 'play' : 'idle';
}

const nullable = (v: number): number | null => roundForReport(v);

export async function runBots(options: RunOptions, io: RunIo = { out: process.stdout }): Promise<RunResult> {
  // Fail before any bot joins, naming the SDK version, if an SDK internal the bots use has moved.
  checkSdkInternals();
  const c = new Collector();
  const worlds = new Worlds();
  const pacer = new Pacer(1000 / TICK_RATE_HZ);
  const random = seededRandom(options.seed);
  /** Bots this part wants now, in join order; ramping down takes the newest away first. */
  const bots: Bot[] = [];
  /** Bots taken away by a ramp-down (still counted in the report). */
  const retired = new Set<Bot>();
  const stages = partStages(options.stages, options.part.index, options.part.count);
  const partBots = peakTarget(stages);
  let spawned = 0;
  const startedAt = new Date();
  const t0 = performance.now();
  const elapsedS = (): number => (performance.now() - t0) / 1000;
  const loopLag = monitorEventLoopDelay({ resolution: 10 });
  loopLag.enable();
  const scraper =
    options.metricsUrls.length > 0 ? new ServerScraper(options.metricsUrls, options.metricsToken) : undefined;
  let running = true;

  // --- joining -------------------------------------------------------------
  const queue: Array<{ bot: Bot; attempt: number }> = [];
  let inFlight = 0;
  const pump = (): void => {
    while (running && inFlight < MAX_CONCURRENT_JOINS && queue.length > 0) {
      const job = queue.shift()!;
      inFlight += 1;
      job.bot
        .join()
        .then(() => {
          if (!running || retired.has(job.bot)) return void job.bot.leave();
          const untick = pacer.add((now) => job.bot.tick(now));
          job.bot.room!.onLeave(untick);
        })
        .catch((error: unknown) => {
          c.joinFailed(error instanceof Error ? error.message : String(error));
          if (job.attempt < JOIN_ATTEMPTS && !retired.has(job.bot))
            setTimeout(() => {
              queue.push({ bot: job.bot, attempt: job.attempt + 1 });
              pump();
            }, JOIN_RETRY_DELAY_MS).unref();
        })
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };
  const spawn = (): void => {
    const want = targetAt(stages, elapsedS());
    while (bots.length > want) {
      const bot = bots.pop()!;
      const queued = queue.findIndex((job) => job.bot === bot);
      if (queued >= 0) queue.splice(queued, 1);
      retired.add(bot);
      void bot.leave();
    }
    while (bots.length < want) {
      // Global index across every part of the run: names stay unique, checkers and movers spread evenly.
      const i = spawned * options.part.count + options.part.index;
      spawned += 1;
      const bot = new Bot({
        url: options.url,
        name: `${options.namePrefix}${i}`.slice(0, 16),
        checker: i < options.checkers,
        behaviour: behaviourOf(i, options.movers),
        chatMeanIntervalS: options.chatIntervalS,
        pingEveryTicks: Math.max(1, Math.round(options.pingIntervalS * TICK_RATE_HZ)),
        probeEveryTicks: Math.round(options.probeIntervalS * TICK_RATE_HZ),
        collector: c,
        worlds,
        random: seededRandom(Math.floor(random() * 2 ** 32)),
      });
      bots.push(bot);
      queue.push({ bot, attempt: 1 });
    }
    c.target = want;
    pump();
  };

  // --- sampling ------------------------------------------------------------
  const series: SeriesPoint[] = [];
  let lastSampleAt = performance.now();
  let lastCounters: CounterSnapshot = c.counters();
  let lastConnected = 0;
  let latestServer: ServerWindow | undefined;
  let lastPoint: ServerPoint | undefined = scraper ? await scraper.scrape(performance.now()) : undefined;
  let steady:
    | {
        atS: number;
        counters: CounterSnapshot;
        clientSeconds: number;
        cpu: NodeJS.CpuUsage;
        atMs: number;
        point: ServerPoint | undefined;
      }
    | undefined;
  let clientSeconds = 0;
  const measureFromS = options.durationS - options.rampS >= 2 ? options.rampS : 0;

  const startSteady = (): void => {
    c.rttMs.total.reset();
    c.updateIntervalMs.total.reset();
    c.inputToUpdateMs.total.reset();
    loopLag.reset();
    steady = {
      atS: elapsedS(),
      counters: c.counters(),
      clientSeconds,
      cpu: process.cpuUsage(),
      atMs: performance.now(),
      point: lastPoint,
    };
  };

  const sample = (): SeriesPoint => {
    const now = performance.now();
    const dt = Math.max((now - lastSampleAt) / 1000, 1e-6);
    const counters = c.counters();
    const d = counterDelta(counters, lastCounters);
    const clientS = ((lastConnected + c.connected) / 2) * dt;
    clientSeconds += clientS;
    const perClient = (v: number): number | null => (clientS > 0 ? roundForReport(v / clientS) : null);
    const rtt = c.rttMs.window.summary();
    const upd = c.updateIntervalMs.window.summary();
    const lat = c.inputToUpdateMs.window.summary();
    const point: SeriesPoint = {
      t: roundForReport(elapsedS()) ?? 0,
      target: c.target,
      connected: c.connected,
      rttP50: nullable(rtt.p50),
      rttP99: nullable(rtt.p99),
      updateIntervalP50: nullable(upd.p50),
      updateIntervalP99: nullable(upd.p99),
      latencyP50: nullable(lat.p50),
      latencyP99: nullable(lat.p99),
      updatesPerClientPerS: perClient(d.patches),
      bytesInPerClientPerS: perClient(d.bytesIn),
      bytesOutPerClientPerS: perClient(d.bytesOut),
      bytesInPerS: Math.round(d.bytesIn / dt),
      bytesOutPerS: Math.round(d.bytesOut / dt),
      errors: c.errors + c.joinErrors,
      reconnects: c.reconnects,
      tickP50: latestServer?.tickMs.p50 ?? null,
      tickP99: latestServer?.tickMs.p99 ?? null,
      serverCpuPercent: latestServer?.cpuPercent ?? null,
      serverHeapBytes: latestServer?.heapUsedBytes ?? null,
      botLoopLagP99: roundForReport(loopLag.percentile(99) / 1e6),
    };
    c.rttMs.window.reset();
    c.updateIntervalMs.window.reset();
    c.inputToUpdateMs.window.reset();
    lastSampleAt = now;
    lastCounters = counters;
    lastConnected = c.connected;
    series.push(point);
    io.onSample?.(point);
    return point;
  };

  let scraping = false;
  const scrapeNow = async (): Promise<void> => {
    if (!scraper || scraping) return;
    scraping = true;
    const p = await scraper.scrape(performance.now());
    scraping = false;
    if (!p) return;
    if (lastPoint) latestServer = serverWindow(lastPoint, p);
    lastPoint = p;
  };

  // --- the run -------------------------------------------------------------
  pacer.start();
  if (measureFromS === 0) startSteady();
  spawn();
  const spawnTimer = setInterval(spawn, 50);
  const scrapeTimer = scraper ? setInterval(() => void scrapeNow(), options.scrapeIntervalS * 1000) : undefined;
  let nextLineAt = 5;
  const sampleTimer = setInterval(() => {
    const p = sample();
    if (!steady && elapsedS() >= measureFromS) startSteady();
    if (options.progress === 'tty') io.out.write(`\r${progressLine(p)}\x1b[K`);
    else if (options.progress === 'lines' && p.t >= nextLineAt) {
      io.out.write(`${progressLine(p)}\n`);
      nextLineAt += 5;
    }
  }, 1000);

  await sleep(options.durationS * 1000 - (performance.now() - t0), io.signal);
  running = false;
  clearInterval(spawnTimer);
  clearInterval(sampleTimer);
  clearInterval(scrapeTimer);
  pacer.stop();
  sample();
  if (!steady) startSteady();
  const s = steady!;
  const endS = elapsedS();
  const cpu = process.cpuUsage(s.cpu);
  const endPoint = scraper ? await scraper.scrape(performance.now()) : undefined;
  const wallS = (performance.now() - s.atMs) / 1000;
  if (options.progress === 'tty') io.out.write('\n');

  const connectedAtEnd = c.connected;
  // Retired bots too: one still leaving when the process ends would leave a seat held on the server.
  const everyBot = [...bots, ...retired];
  await Promise.all(everyBot.map((b) => b.leave()));
  loopLag.disable();

  // --- the report ----------------------------------------------------------
  const d = counterDelta(c.counters(), s.counters);
  const windowClientS = clientSeconds - s.clientSeconds;
  const per = (v: number): number | null => (windowClientS > 0 ? roundForReport(v / windowClientS) : null);
  const summary: RunSummary = {
    window: {
      fromS: roundForReport(s.atS) ?? 0,
      toS: roundForReport(endS) ?? 0,
      seconds: roundForReport(endS - s.atS) ?? 0,
      clientSeconds: roundForReport(windowClientS) ?? 0,
    },
    bots: {
      target: partBots,
      connectedMax: c.connectedMax,
      connectedAtEnd,
      connectedRatio: partBots > 0 ? (roundForReport(c.connectedMax / partBots) ?? 0) : 0,
      decoders: everyBot.filter((b) => b.decodes).length,
      rooms: worlds.size,
      roomIds: worlds.roomIds(),
      joinAttempts: c.joinAttempts,
      joinErrors: c.joinErrors,
      errors: c.errors,
      drops: c.drops,
      reconnects: c.reconnects,
      skippedTicks: pacer.skippedTicks,
    },
    rttMs: reportSummary(c.rttMs.total.summary()),
    updateIntervalMs: reportSummary(c.updateIntervalMs.total.summary()),
    inputToUpdateMs: {
      ...reportSummary(c.inputToUpdateMs.total.summary()),
      probesSent: c.probesSent,
      probesLost: c.probesLost,
    },
    perClient: {
      updatesPerS: per(d.patches),
      inputsPerS: per(d.inputsSent),
      bytesInPerS: per(d.bytesIn),
      bytesOutPerS: per(d.bytesOut),
      wireBytesInPerS: per(d.wireBytesIn),
      wireBytesOutPerS: per(d.wireBytesOut),
    },
    totals: {
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      patches: c.patches,
      inputsSent: c.inputsSent,
      messagesIn: c.messagesIn,
      chatsSent: c.chatsSent,
      chatsRefused: c.chatsRefused,
    },
    stateChecks: { checks: c.stateChecks, violations: c.stateViolations, samples: c.violationSamples },
    server: scraper && endPoint ? { ...serverWindow(s.point, endPoint), scrapeErrors: scraper.errors } : null,
    botProcess: {
      cpuPercent: wallS > 0 ? roundForReport(((cpu.user + cpu.system) / 1e6 / wallS) * 100) : null,
      eventLoopLagP99Ms: roundForReport(loopLag.percentile(99) / 1e6),
      eventLoopLagMaxMs: roundForReport(loopLag.max / 1e6),
    },
    errorSamples: [...c.errorSamples, ...(scraper?.lastError ? [`scrape: ${scraper.lastError}`] : [])],
  };
  const slo = evaluateSlos(options.slos, summary);
  const { metricsToken: _token, ...shownOptions } = options;
  const report: BotReport = {
    tool: 'arena-bots',
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: shownOptions,
    summary,
    series,
    slo,
    passed: c.connectedMax > 0 && slo.every((o) => o.pass),
    histograms: {
      rttMs: c.rttMs.total.toJSON(),
      updateIntervalMs: c.updateIntervalMs.total.toJSON(),
      inputToUpdateMs: c.inputToUpdateMs.total.toJSON(),
    },
  };
  if (io.noSummary) return { report, files: {} };
  return { report, files: await writeReport(report, options.reportDir, io.out) };
}
