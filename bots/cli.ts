/**
 * `npm run bots -- --url http://host:port --bots 200 --duration 60 --ramp 20`
 * (or `--stages 30s:100,2m:500,30s:0`; `--workers N` for N threads, `--shard i/n` for one machine's share).
 * Runs the bot load test and exits 0 when every objective was met, 1 when one
 * was missed (or no bot connected), 2 on bad usage. Ctrl-C ends the run early
 * and still writes the report.
 */
import { parseOptions, USAGE, UsageError } from './options.ts';
import { runBots } from './runner.ts';
import { runWorkers } from './workers.ts';
import { SdkInternalsError } from './sdkInternals.ts';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2), process.stdout.isTTY === true);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`bots: ${error.message}\n\n`);
    process.stderr.write(`${USAGE}\n`);
    return error.message ? 2 : 0;
  }
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  const run = options.workers > 1 ? runWorkers : runBots;
  const { report } = await run(options, { out: process.stdout, signal: stop.signal });
  return report.passed ? 0 : 1;
}

main().then(
  (code) => {
    // Sockets of bots that never finished joining may linger; the result is final.
    process.exit(code);
  },
  (error: unknown) => {
    // A changed SDK is a setup problem, not a crash: its message says what to do.
    const text =
      error instanceof SdkInternalsError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`bots: ${text}\n`);
    process.exit(3);
  },
);
