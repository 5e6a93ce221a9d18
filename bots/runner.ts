/**
 * Runs a load test, in named phases: start (the fleet, the sampler, the
 * first scrape), play (bots brought in and out by the stages, ticked at the
 * server's rate, sampled once a second, the server scraped on its interval),
 * wind down (timers stopped, every bot leaves) and report. The measured
 * window starts when the ramp ends. The pieces: `fleet.ts` (joining),
 * `sampler.ts` (the series and the window), `runReport.ts` (the summary).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { sleep } from '../common/sleep.ts';
import { TICK_RATE_HZ } from '../shared/constants.ts';
import { seededRandom } from '../shared/random.ts';
import { Collector } from './collector.ts';
import { BotFleet } from './fleet.ts';
import type { RunOptions } from './options.ts';
import { Pacer } from './pacer.ts';
import { progressLine, type BotReport, type SeriesPoint } from './report.ts';
import { writeReport, type ReportFiles } from './reportFiles.ts';
import { buildReport } from './runReport.ts';
import { RunSampler } from './sampler.ts';
import { ServerScraper } from './scrape.ts';
import { checkSdkInternals } from './sdkInternals.ts';
import { partStages, peakTarget, targetAt } from './stages.ts';
import { Worlds } from './world.ts';

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

/** How often the fleet is resized to the stages' target, in ms. */
const RESIZE_EVERY_MS = 50;
/** A progress line every this many seconds (`--progress lines`). */
const PROGRESS_LINE_EVERY_S = 5;

export async function runBots(options: RunOptions, io: RunIo = { out: process.stdout }): Promise<RunResult> {
  // --- start ----------------------------------------------------------------
  // Fail before any bot joins, naming the SDK version, if an SDK internal the bots use has moved.
  checkSdkInternals();
  const c = new Collector();
  const worlds = new Worlds();
  const pacer = new Pacer(1000 / TICK_RATE_HZ);
  const fleet = new BotFleet(options, c, worlds, pacer, seededRandom(options.seed));
  const stages = partStages(options.stages, options.part.index, options.part.count);
  const startedAt = new Date();
  const t0 = performance.now();
  const elapsedS = (): number => (performance.now() - t0) / 1000;
  const loopLag = monitorEventLoopDelay({ resolution: 10 });
  loopLag.enable();
  const scraper =
    options.metricsUrls.length > 0 ? new ServerScraper(options.metricsUrls, options.metricsToken) : undefined;
  const sampler = new RunSampler(c, loopLag, scraper, elapsedS, io.onSample);
  await sampler.start();
  const measureFromS = options.durationS - options.rampS >= 2 ? options.rampS : 0;

  // --- play -----------------------------------------------------------------
  pacer.start();
  if (measureFromS === 0) sampler.startSteady();
  const resize = (): void => fleet.resize(targetAt(stages, elapsedS()));
  resize();
  const resizeTimer = setInterval(resize, RESIZE_EVERY_MS);
  const scrapeTimer = scraper ? setInterval(() => void sampler.scrapeNow(), options.scrapeIntervalS * 1000) : undefined;
  let nextLineAt = PROGRESS_LINE_EVERY_S;
  const sampleTimer = setInterval(() => {
    const p = sampler.sample();
    if (!sampler.steady && elapsedS() >= measureFromS) sampler.startSteady();
    if (options.progress === 'tty') io.out.write(`\r${progressLine(p)}\x1b[K`);
    else if (options.progress === 'lines' && p.t >= nextLineAt) {
      io.out.write(`${progressLine(p)}\n`);
      nextLineAt += PROGRESS_LINE_EVERY_S;
    }
  }, 1000);
  await sleep(options.durationS * 1000 - (performance.now() - t0), io.signal);

  // --- wind down ------------------------------------------------------------
  fleet.stop();
  clearInterval(resizeTimer);
  clearInterval(sampleTimer);
  clearInterval(scrapeTimer);
  pacer.stop();
  sampler.sample();
  if (!sampler.steady) sampler.startSteady();
  const steady = sampler.steady!;
  const endS = elapsedS();
  const cpu = process.cpuUsage(steady.cpu);
  const endPoint = scraper ? await scraper.scrape(performance.now()) : undefined;
  const wallS = (performance.now() - steady.atMs) / 1000;
  if (options.progress === 'tty') io.out.write('\n');
  const connectedAtEnd = c.connected;
  await fleet.leaveAll();
  loopLag.disable();

  // --- report ---------------------------------------------------------------
  const everyBot = fleet.everyBot;
  const report = buildReport({
    options,
    collector: c,
    startedAt,
    steady,
    endS,
    clientSeconds: sampler.clientSeconds,
    partBots: peakTarget(stages),
    connectedAtEnd,
    decoders: everyBot.filter((b) => b.decodes).length,
    rooms: worlds.size,
    roomIds: worlds.roomIds(),
    skippedTicks: pacer.skippedTicks,
    cpu,
    wallS,
    loopLag: { p99Ns: loopLag.percentile(99), maxNs: loopLag.max },
    scraper,
    endPoint,
    series: sampler.series,
  });
  if (io.noSummary) return { report, files: {} };
  return { report, files: await writeReport(report, options.reportDir, io.out) };
}
