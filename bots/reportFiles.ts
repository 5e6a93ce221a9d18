/** The end of a run, whichever way it ran: the summary table on the terminal and the report files. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderHtml } from './html.ts';
import { summaryTable, type BotReport } from './report.ts';

/** Paths of the files written (none without a report directory). */
export interface ReportFiles {
  json?: string;
  html?: string;
}

/** Print the summary table and write `report.json` and `report.html` into `reportDir` (when given). */
export async function writeReport(
  report: BotReport,
  reportDir: string | undefined,
  out: NodeJS.WritableStream,
): Promise<ReportFiles> {
  out.write(`${summaryTable(report)}\n`);
  const files: ReportFiles = {};
  if (reportDir) {
    await mkdir(reportDir, { recursive: true });
    files.json = path.join(reportDir, 'report.json');
    files.html = path.join(reportDir, 'report.html');
    await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(files.html, renderHtml(report));
    out.write(`report: ${files.json}\n        ${files.html}\n`);
  }
  return files;
}
