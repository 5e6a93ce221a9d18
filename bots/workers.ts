/**
 * A run spread over worker threads: one process holds only so many bots
 * before its core saturates, so `--workers N` runs N worker threads, each
 * with its part of every stage's bots (see stages.ts), and this coordinator
 * merges their once-a-second samples into one live line and their reports
 * into one report (merge.ts). Only the first worker scrapes the server. The
 * load generator's CPU is measured here, for the whole process.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { mergePoints, mergeReports } from './merge.ts';
import type { RunOptions } from './options.ts';
import { progressLine, type BotReport, type SeriesPoint } from './report.ts';
import { writeReport } from './reportFiles.ts';
import type { RunIo, RunResult } from './runner.ts';
import { roundForReport } from './stats.ts';

/** What a worker thread tells the coordinator. */
export type WorkerMessage =
  | { type: 'sample'; point: SeriesPoint }
  | { type: 'done'; report: BotReport }
  | { type: 'failed'; message: string };

/** The options of worker `w` of `options.workers`: its part of the run, no files, no live line. */
export function workerOptions(options: RunOptions, w: number): RunOptions {
  const n = options.workers;
  return {
    ...options,
    part: { index: options.shard.index * n + w, count: options.shard.count * n },
    metricsUrls: w === 0 ? options.metricsUrls : [],
    reportDir: undefined,
    progress: 'none',
    workers: 1,
  };
}

export async function runWorkers(options: RunOptions, io: RunIo = { out: process.stdout }): Promise<RunResult> {
  const n = options.workers;
  const latest: Array<SeriesPoint | undefined> = new Array(n).fill(undefined);
  const t0 = performance.now();
  let cpuFrom: { cpu: NodeJS.CpuUsage; atMs: number } | undefined;
  let cpuTo: { cpu: NodeJS.CpuUsage; atMs: number } | undefined;
  const markFrom = (): void => {
    cpuFrom ??= { cpu: process.cpuUsage(), atMs: performance.now() };
  };
  const markTo = (): void => {
    cpuTo ??= { cpu: process.cpuUsage(), atMs: performance.now() };
  };
  const fromTimer = setTimeout(markFrom, options.rampS * 1000);
  const toTimer = setTimeout(markTo, options.durationS * 1000);

  const workers = Array.from(
    { length: n },
    (_, w) =>
      new Worker(new URL('./worker.ts', import.meta.url), { workerData: { options: workerOptions(options, w) } }),
  );
  const stopAll = (): void => {
    markTo();
    for (const worker of workers) worker.postMessage('stop');
  };
  io.signal?.addEventListener('abort', stopAll);

  let nextLineAt = 5;
  const lineTimer = setInterval(() => {
    const points = latest.filter((p): p is SeriesPoint => p !== undefined);
    if (points.length === 0) return;
    const point = mergePoints(points, Math.round((performance.now() - t0) / 1000));
    if (options.progress === 'tty') io.out.write(`\r${progressLine(point)}\x1b[K`);
    else if (options.progress === 'lines' && point.t >= nextLineAt) {
      io.out.write(`${progressLine(point)}\n`);
      nextLineAt += 5;
    }
  }, 1000);

  let reports: BotReport[];
  try {
    reports = await Promise.all(
      workers.map(
        (worker, w) =>
          new Promise<BotReport>((resolve, reject) => {
            worker.on('message', (message: WorkerMessage) => {
              if (message.type === 'sample') latest[w] = message.point;
              else if (message.type === 'done') resolve(message.report);
              else reject(new Error(`worker ${w} failed: ${message.message}`));
            });
            worker.once('error', reject);
            worker.once('exit', (code) => reject(new Error(`worker ${w} exited (${code}) before reporting`)));
          }),
      ),
    );
  } finally {
    clearInterval(lineTimer);
    clearTimeout(fromTimer);
    clearTimeout(toTimer);
    io.signal?.removeEventListener('abort', stopAll);
    // A worker's leftover sockets (bots that never finished joining) must not keep the run alive.
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (options.progress === 'tty') io.out.write('\n');
  markFrom();
  markTo();
  const wallS = (cpuTo!.atMs - cpuFrom!.atMs) / 1000;
  const cpuPercent =
    wallS > 0
      ? roundForReport(
          ((cpuTo!.cpu.user - cpuFrom!.cpu.user + (cpuTo!.cpu.system - cpuFrom!.cpu.system)) / 1e6 / wallS) * 100,
        )
      : null;
  const merged = mergeReports(reports, {
    names: reports.map((_, w) =>
      options.shard.count > 1 ? `shard ${options.shard.index} worker ${w}` : `worker ${w}`,
    ),
    cpuPercent,
  });
  for (const part of merged.parts ?? []) part.cpuPercent = null;
  const { metricsToken: _token, ...shownOptions } = options;
  const report: BotReport = { ...merged, options: shownOptions };
  return { report, files: await writeReport(report, options.reportDir, io.out) };
}
