/**
 * The bot runner's options and the command line that sets them. Every flag is
 * checked: a bad value stops the run with a message naming the flag.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { parseSlos, SLO_KEYS, type Slo } from './slo.ts';
import {
  measureFromS,
  parseDuration,
  parseStages,
  peakTarget,
  rampStages,
  stagesDurationS,
  type Stage,
} from './stages.ts';

export interface RunOptions {
  /** Server base URL, `http(s)://host:port` (a proxy in front of a cluster works too). */
  url: string;
  /** Bots to run: the highest target of the stages. */
  bots: number;
  /** Whole run length, ramp included, seconds (the stages' total). */
  durationS: number;
  /** Seconds before the measured window starts (the ramp; 0: measured from the start). */
  rampS: number;
  /** The load profile: how many bots, over time (`--stages`, or `--ramp` then hold until `--duration`). */
  stages: Stage[];
  /** Worker threads sharing the bots of this process (`--workers`). */
  workers: number;
  /** This process's shard of a run spread over machines (`--shard i/n`); 0/1 alone. */
  shard: { index: number; count: number };
  /**
   * The part of the whole run these options drive: the shard, further split
   * by workers. Bot names, checkers and targets follow from it, so the parts
   * of one run never collide.
   */
  part: { index: number; count: number };
  /** Bots that always decode the full state and check it (on top of one decoder per room). */
  checkers: number;
  /** Share of bots (0–1) that play; the rest stand still, still sending one input per tick. */
  movers: number;
  /** Mean seconds between a bot's chat messages (0: no chat). */
  chatIntervalS: number;
  /** Seconds between a bot's pings. */
  pingIntervalS: number;
  /** Seconds between a bot's input-to-update probes (0: none). */
  probeIntervalS: number;
  /** `/metrics` URLs to scrape (empty: none). */
  metricsUrls: string[];
  /** Bearer token for `/metrics` (the server's `METRICS_TOKEN`). */
  metricsToken: string | undefined;
  /** Seconds between scrapes. */
  scrapeIntervalS: number;
  /** Where the JSON and HTML reports go; undefined: no files. */
  reportDir: string | undefined;
  slos: Slo[];
  /** Seed of the bots' random choices. */
  seed: number;
  /** Live progress: a rewritten line (tty), one line per interval (lines), or none. */
  progress: 'tty' | 'lines' | 'none';
  /** Prefix of bot names (names are `<prefix><n>`, at most 16 characters). */
  namePrefix: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run bots -- --url http://localhost:2567 [options]

  --url URL             server (or proxy) base URL                  required
  --bots N              bots to run                                  default 10
  --duration D          whole run, ramp included (90s, 2m, 1h; bare number: s)  default 30s
  --ramp D              time to bring all bots in                    default 5s
  --stages LIST         load profile instead of --bots/--duration/--ramp: stages
                        <duration>:<bots>, e.g. 30s:100,2m:500,30s:0 (linear within each)
  --workers N           worker threads running the bots, one merged live line and report
                                                                     default cores, minus 1 when the server is local
  --shard I/N           run shard I of N (0-based) of a load spread over machines
                        (default from CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT when set);
                        merge the reports with npm run bots:merge
  --decode-full N       bots that always decode and check the state  default 2
  --movers F            share of bots that play (rest stand still)   default 1
  --chat-interval D     mean time between a bot's chats (0: off)     default 30s
  --ping-interval D     time between a bot's pings                   default 1s
  --probe-interval D    time between input-to-update probes          default 2s
  --metrics-url URL     /metrics to scrape, repeatable               default <url>/metrics
  --metrics-token T     bearer token for /metrics (METRICS_TOKEN)
  --no-metrics          do not scrape the server
  --scrape-interval D   time between scrapes                         default 2s
  --report-dir DIR      write report.json and report.html here; {shard} in DIR
                        becomes the shard index                      default bot-reports/<time>
  --no-report           write no report files
  --slo KEY=V           objective, repeatable or comma-separated; exit 1 when missed
                        keys: ${Object.keys(SLO_KEYS).join(', ')}
  --seed N              seed of the bots' random choices            default 1
  --progress MODE       tty | lines | none                           default tty on a terminal, else lines
  --quiet               same as --progress none
  --name-prefix P       bot name prefix                              default bot

Exit status: 0 all objectives met, 1 an objective missed or no bot connected, 2 bad usage.`;

function num(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  integer = false,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UsageError(
      `--${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${raw}"`,
    );
  }
  return value;
}

/** A duration flag in seconds (units allowed), within [min, max]. */
function dur(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  let value: number;
  try {
    value = parseDuration(`--${flag}`, raw);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (value < min || value > max) throw new UsageError(`--${flag} must be from ${min} s to ${max} s, got "${raw}"`);
  return value;
}

/**
 * Worker threads by default: every core of the machine, minus one when the
 * server runs on it too (a loopback URL), at least one.
 */
export function defaultWorkers(url: string, cores = availableParallelism()): number {
  const host = new URL(url).hostname;
  const local = host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./u.test(host);
  return Math.max(1, cores - (local ? 1 : 0));
}

function httpUrl(flag: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${flag} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${flag} must be an http(s) URL, got "${raw}"`);
  return url.toString().replace(/\/$/u, '');
}

/** The command line's flags, in `parseArgs` form. */
const FLAGS = {
  url: { type: 'string' },
  bots: { type: 'string' },
  duration: { type: 'string' },
  ramp: { type: 'string' },
  stages: { type: 'string' },
  workers: { type: 'string' },
  shard: { type: 'string' },
  'decode-full': { type: 'string' },
  movers: { type: 'string' },
  'chat-interval': { type: 'string' },
  'ping-interval': { type: 'string' },
  'probe-interval': { type: 'string' },
  'metrics-url': { type: 'string', multiple: true },
  'metrics-token': { type: 'string' },
  'no-metrics': { type: 'boolean' },
  'scrape-interval': { type: 'string' },
  'report-dir': { type: 'string' },
  'no-report': { type: 'boolean' },
  slo: { type: 'string', multiple: true },
  seed: { type: 'string' },
  progress: { type: 'string' },
  quiet: { type: 'boolean' },
  'name-prefix': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Parse the command line (without `node` and the script). */
export function parseOptions(
  argv: readonly string[],
  isTty: boolean,
  now = new Date(),
  env: NodeJS.ProcessEnv = process.env,
): RunOptions {
  let values: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true; allowPositionals: false }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: FLAGS }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new UsageError('');
  if (values.url === undefined) throw new UsageError('--url is required');
  const url = httpUrl('url', values.url);
  let stages: Stage[];
  if (values.stages !== undefined) {
    for (const flag of ['bots', 'duration', 'ramp'] as const) {
      if (values[flag] !== undefined)
        throw new UsageError(`--stages replaces --bots, --duration and --ramp; drop --${flag}`);
    }
    try {
      stages = parseStages(values.stages);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (peakTarget(stages) < 1) throw new UsageError('--stages must bring in at least one bot');
    const total = stagesDurationS(stages);
    if (total < 1 || total > 86_400)
      throw new UsageError(`--stages must last from 1 s to 86400 s in all, got ${total} s`);
  } else {
    const bots = num('bots', values.bots, 10, 1, 100_000, true);
    const durationS = dur('duration', values.duration, 30, 1, 86_400);
    const rampS = dur('ramp', values.ramp, Math.min(5, durationS / 2), 0, durationS);
    stages = rampStages(bots, durationS, rampS);
  }
  const bots = peakTarget(stages);
  const durationS = stagesDurationS(stages);
  const rampS = measureFromS(stages);
  const workers = num('workers', values.workers, defaultWorkers(url), 1, 256, true);
  let shard = { index: 0, count: 1 };
  // A Cloud Run Jobs task knows its shard from the environment (ops/bots-job.yaml).
  const fromTask =
    env.CLOUD_RUN_TASK_COUNT !== undefined
      ? `${env.CLOUD_RUN_TASK_INDEX ?? ''}/${env.CLOUD_RUN_TASK_COUNT}`
      : undefined;
  const shardFlag = values.shard ?? fromTask;
  if (shardFlag !== undefined) {
    const m = /^(\d+)\/(\d+)$/u.exec(shardFlag.trim());
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    const source = values.shard !== undefined ? '--shard' : '--shard (from CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT)';
    if (!m || count < 1 || count > 10_000 || index >= count)
      throw new UsageError(`${source} must be I/N with 0 <= I < N, like 0/4, got "${shardFlag}"`);
    shard = { index, count };
  }
  const progress = values.quiet ? 'none' : (values.progress ?? (isTty ? 'tty' : 'lines'));
  if (progress !== 'tty' && progress !== 'lines' && progress !== 'none')
    throw new UsageError(`--progress must be tty, lines or none, got "${progress}"`);
  const namePrefix = values['name-prefix'] ?? 'bot';
  if (!/^[A-Za-z0-9_.-]{1,10}$/u.test(namePrefix))
    throw new UsageError('--name-prefix must be 1 to 10 letters, digits or _ . -');
  let slos: Slo[];
  try {
    slos = (values.slo ?? []).flatMap((s) => parseSlos(s));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const stamp = now.toISOString().replace(/[:.]/gu, '-');
  return {
    url,
    bots,
    durationS,
    rampS,
    stages,
    workers,
    shard,
    part: { ...shard },
    checkers: Math.min(bots, num('decode-full', values['decode-full'], 2, 0, 100_000, true)),
    movers: num('movers', values.movers, 1, 0, 1),
    chatIntervalS: dur('chat-interval', values['chat-interval'], 30, 0, 86_400),
    pingIntervalS: dur('ping-interval', values['ping-interval'], 1, 0.1, 3600),
    probeIntervalS: dur('probe-interval', values['probe-interval'], 2, 0, 3600),
    metricsUrls: values['no-metrics']
      ? []
      : (values['metrics-url'] ?? [`${url}/metrics`]).map((u) => httpUrl('metrics-url', u)),
    metricsToken: values['metrics-token'],
    scrapeIntervalS: dur('scrape-interval', values['scrape-interval'], 2, 0.5, 600),
    reportDir: values['no-report']
      ? undefined
      : (values['report-dir'] ?? `bot-reports/${stamp}${shard.count > 1 ? '-shard-{shard}' : ''}`).replaceAll(
          '{shard}',
          String(shard.index),
        ),
    slos,
    seed: num('seed', values.seed, 1, 0, 2 ** 32 - 1, true),
    progress,
    namePrefix,
  };
}
