/**
 * `npm run bots:merge a.json b.json … [--report-dir DIR]`: merges the
 * report.json files of the shards of one run (`--shard i/n` on several
 * machines) into one report.json and report.html, and prints the summary.
 * Exits 0 when the merged run met every objective, 1 when not, 2 on bad
 * usage or unreadable reports.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { assertMergeable, MergeError, mergeReports } from './merge.ts';
import { writeReport } from './reportFiles.ts';

const USAGE = `Usage: npm run bots:merge -- a.json b.json ... [--report-dir DIR]

  Merges the report.json of every shard of one run into one report.json and
  report.html (default directory bot-reports/merged-<time>).`;

async function main(): Promise<number> {
  let values: { 'report-dir'?: string; help?: boolean };
  let files: string[];
  try {
    const parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: { 'report-dir': { type: 'string' }, help: { type: 'boolean' } },
    });
    values = parsed.values;
    files = parsed.positionals;
  } catch (error) {
    process.stderr.write(`bots:merge: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (files.length < 1) {
    process.stderr.write(`bots:merge: give at least one report.json\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const reports = await Promise.all(
      files.map(async (file) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(await readFile(file, 'utf8'));
        } catch (error) {
          throw new MergeError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
        assertMergeable(parsed, file);
        return parsed;
      }),
    );
    const merged = mergeReports(reports, { names: files });
    const dir = values['report-dir'] ?? `bot-reports/merged-${new Date().toISOString().replace(/[:.]/gu, '-')}`;
    await writeReport(merged, dir, process.stdout);
    return merged.passed ? 0 : 1;
  } catch (error) {
    if (!(error instanceof MergeError)) throw error;
    process.stderr.write(`bots:merge: ${error.message}\n`);
    return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bots:merge: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(3);
  },
);
