/**
 * The self-contained HTML report: the summary, the objectives, and charts of
 * the run over time (inline SVG, no script, no external resource), so the file
 * can be mailed or archived as it is.
 */
import { lineChart, PALETTE, type LineSeries } from './charts.ts';
import { summaryTable, type BotReport, type SeriesPoint } from './report.ts';
import { describeSlo } from './slo.ts';

const esc = (s: string): string => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');

function line(
  name: string,
  color: string,
  series: readonly SeriesPoint[],
  pick: (p: SeriesPoint) => number | null,
  dashed = false,
): LineSeries {
  return { name, color, dashed, points: series.map((p) => [p.t, pick(p)] as const) };
}

/** Render the report as one HTML document. */
export function renderHtml(r: BotReport): string {
  const s = r.series;
  const x = 'seconds since start';
  const charts = [
    lineChart({ title: 'Connected bots', unit: 'clients', xLabel: x }, [
      line('connected', PALETTE[0]!, s, (p) => p.connected),
      line('target', PALETTE[6]!, s, (p) => p.target, true),
    ]),
    lineChart({ title: 'Round trip (ping)', unit: 'ms', xLabel: x }, [
      line('p50', PALETTE[0]!, s, (p) => p.rttP50),
      line('p99', PALETTE[1]!, s, (p) => p.rttP99),
    ]),
    lineChart({ title: 'Update interval; input→update at another client', unit: 'ms', xLabel: x }, [
      line('update interval p50', PALETTE[0]!, s, (p) => p.updateIntervalP50),
      line('update interval p99', PALETTE[1]!, s, (p) => p.updateIntervalP99),
      line('input→update p50', PALETTE[2]!, s, (p) => p.latencyP50, true),
      line('input→update p99', PALETTE[3]!, s, (p) => p.latencyP99, true),
    ]),
    lineChart({ title: 'Bytes per client per second', unit: 'B/s', xLabel: x }, [
      line('down (server→client)', PALETTE[0]!, s, (p) => p.bytesInPerClientPerS),
      line('up (client→server)', PALETTE[2]!, s, (p) => p.bytesOutPerClientPerS),
    ]),
    lineChart({ title: 'Server tick (fixed step, from /metrics)', unit: 'ms', xLabel: x }, [
      line('p50', PALETTE[0]!, s, (p) => p.tickP50),
      line('p99', PALETTE[1]!, s, (p) => p.tickP99),
    ]),
    lineChart({ title: 'Server CPU (% of a core) and bot loop lag (ms)', unit: '', xLabel: x }, [
      line('server CPU %', PALETTE[0]!, s, (p) => p.serverCpuPercent),
      line('bot loop lag p99 (ms)', PALETTE[4]!, s, (p) => p.botLoopLagP99, true),
    ]),
  ];
  const slo = r.slo.length
    ? `<table><tr><th>objective</th><th>actual</th><th>result</th></tr>${r.slo
        .map(
          (o) =>
            `<tr><td>${esc(describeSlo(o))}</td><td>${o.actual ?? '-'}</td><td class="${o.pass ? 'pass' : 'miss'}">${o.pass ? 'PASS' : 'MISS'}</td></tr>`,
        )
        .join('')}</table>`
    : '<p>No objectives were set (<code>--slo</code>).</p>';
  const samples = [...r.summary.errorSamples, ...r.summary.stateChecks.samples];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Arena bots ${esc(r.startedAt)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#111;max-width:1340px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.verdict{display:inline-block;padding:4px 10px;border-radius:4px;color:#fff;font-weight:600}
.pass{color:#15803d}.miss{color:#b91c1c}.v-pass{background:#15803d}.v-fail{background:#b91c1c}
pre{background:#f3f4f6;padding:12px;overflow:auto;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(640px,1fr));gap:16px}
table{border-collapse:collapse}td,th{border:1px solid #d1d5db;padding:4px 8px;text-align:left;font-size:13px}
</style></head><body>
<h1>Arena bots: ${r.options.bots} bots, ${r.options.durationS} s against ${esc(r.options.url)} <span class="verdict ${r.passed ? 'v-pass' : 'v-fail'}">${r.passed ? 'PASS' : 'FAIL'}</span></h1>
<p>Started ${esc(r.startedAt)}, finished ${esc(r.finishedAt)}. Figures below the charts are over the measured window (after the ${r.options.rampS} s ramp).</p>
<h2>Objectives</h2>${slo}
<h2>Over time</h2><div class="charts">${charts.join('\n')}</div>
<h2>Summary</h2><pre>${esc(summaryTable(r))}</pre>
${samples.length ? `<h2>First errors and failed checks</h2><pre>${esc(samples.join('\n'))}</pre>` : ''}
<h2>Options</h2><pre>${esc(JSON.stringify(r.options, null, 2))}</pre>
</body></html>
`;
}
