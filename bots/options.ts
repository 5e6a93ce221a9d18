/**
 * The bot runner's options and the command line that sets them. Every flag is
 * checked: a bad value stops the run with a message naming the flag.
 */
import { parseArgs } from 'node:util';
import { parseSlos, SLO_KEYS, type Slo } from './slo.ts';

export interface RunOptions {
  /** Server base URL, `http(s)://host:port` (a proxy in front of a cluster works too). */
  url: string;
  /** Bots to run. */
  bots: number;
  /** Whole run length, ramp included, seconds. */
  durationS: number;
  /** Time to bring all bots in, evenly spread, seconds (0: all at once). */
  rampS: number;
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
  --duration S          whole run in seconds, ramp included          default 30
  --ramp S              seconds to bring all bots in                 default 5
  --decode-full N       bots that always decode and check the state  default 2
  --movers F            share of bots that play (rest stand still)   default 1
  --chat-interval S     mean seconds between a bot's chats (0: off)  default 30
  --ping-interval S     seconds between a bot's pings                default 1
  --probe-interval S    seconds between input-to-update probes       default 2
  --metrics-url URL     /metrics to scrape, repeatable               default <url>/metrics
  --metrics-token T     bearer token for /metrics (METRICS_TOKEN)
  --no-metrics          do not scrape the server
  --scrape-interval S   seconds between scrapes                      default 2
  --report-dir DIR      write report.json and report.html here       default bot-reports/<time>
  --no-report           write no report files
  --slo KEY=V           objective, repeatable or comma-separated; exit 1 when missed
                        keys: ${Object.keys(SLO_KEYS).join(', ')}
  --seed N              seed of the bots' random choices            default 1
  --progress MODE       tty | lines | none                           default tty on a terminal, else lines
  --quiet               same as --progress none
  --name-prefix P       bot name prefix                              default bot

Exit status: 0 all objectives met, 1 an objective missed or no bot connected, 2 bad usage.`;

function num(flag: string, raw: string | undefined, fallback: number, min: number, max: number, integer = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function httpUrl(flag: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${flag} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${flag} must be an http(s) URL, got "${raw}"`);
  return url.toString().replace(/\/$/u, '');
}

/** Parse the command line (without `node` and the script). */
export function parseOptions(argv: readonly string[], isTty: boolean, now = new Date()): RunOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        bots: { type: 'string' },
        duration: { type: 'string' },
        ramp: { type: 'string' },
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
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new UsageError('');
  if (values.url === undefined) throw new UsageError('--url is required');
  const url = httpUrl('url', values.url);
  const bots = num('bots', values.bots, 10, 1, 100_000, true);
  const durationS = num('duration', values.duration, 30, 1, 86_400);
  const rampS = num('ramp', values.ramp, Math.min(5, durationS / 2), 0, durationS);
  const progress = values.quiet ? 'none' : (values.progress ?? (isTty ? 'tty' : 'lines'));
  if (progress !== 'tty' && progress !== 'lines' && progress !== 'none') throw new UsageError(`--progress must be tty, lines or none, got "${progress}"`);
  const namePrefix = values['name-prefix'] ?? 'bot';
  if (!/^[A-Za-z0-9_.-]{1,10}$/u.test(namePrefix)) throw new UsageError('--name-prefix must be 1 to 10 letters, digits or _ . -');
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
    checkers: Math.min(bots, num('decode-full', values['decode-full'], 2, 0, 100_000, true)),
    movers: num('movers', values.movers, 1, 0, 1),
    chatIntervalS: num('chat-interval', values['chat-interval'], 30, 0, 86_400),
    pingIntervalS: num('ping-interval', values['ping-interval'], 1, 0.1, 3600),
    probeIntervalS: num('probe-interval', values['probe-interval'], 2, 0, 3600),
    metricsUrls: values['no-metrics'] ? [] : (values['metrics-url'] ?? [`${url}/metrics`]).map((u) => httpUrl('metrics-url', u)),
    metricsToken: values['metrics-token'],
    scrapeIntervalS: num('scrape-interval', values['scrape-interval'], 2, 0.5, 600),
    reportDir: values['no-report'] ? undefined : (values['report-dir'] ?? `bot-reports/${stamp}`),
    slos,
    seed: num('seed', values.seed, 1, 0, 2 ** 32 - 1, true),
    progress,
    namePrefix,
  };
}
