/**
 * Small SVG charts with no dependency: line charts over time for the bot
 * report and grouped bar charts for the benchmark. Output is a standalone
 * `<svg>` string (embeddable in HTML or written as a `.svg` file).
 */

export interface LineSeries {
  name: string;
  color: string;
  /** [x, y] pairs; a null y leaves a gap. */
  points: ReadonlyArray<readonly [number, number | null]>;
  dashed?: boolean;
}

export interface ChartFrame {
  title: string;
  /** Unit of the y axis, shown in the title. */
  unit: string;
  xLabel: string;
  width?: number;
  height?: number;
  /** Plot y on a log10 scale (values ≤ 0 are skipped). */
  logY?: boolean;
}

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];

const esc = (s: string): string =>
  s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;');

/** Round-number ticks covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A compact number for axis labels: 1.2k, 3.4M, 0.25. */
export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  if (a >= 100 || a === 0) return `${Math.round(v)}`;
  return `${Number(v.toPrecision(3))}`;
}

interface Layout {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function frame(
  f: ChartFrame,
  layout: Layout,
  body: string,
  legend: ReadonlyArray<{ name: string; color: string; dashed?: boolean | undefined }>,
): string {
  const { w, h } = layout;
  let x = layout.left;
  const items = legend
    .map((s) => {
      const at = x;
      x += 40 + s.name.length * 7;
      return `<g transform="translate(${at},${h - 8})"><line x1="0" y1="-4" x2="18" y2="-4" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="24" y="0" font-size="12">${esc(s.name)}</text></g>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif">` +
    `<rect width="${w}" height="${h}" fill="#fff"/>` +
    `<text x="${layout.left}" y="20" font-size="14" font-weight="600">${esc(f.title)}${f.unit ? ` (${esc(f.unit)})` : ''}</text>` +
    body +
    items +
    `</svg>`
  );
}

/** A line chart of one or more series against a shared numeric x axis. */
export function lineChart(f: ChartFrame, series: readonly LineSeries[]): string {
  const layout: Layout = { w: f.width ?? 640, h: f.height ?? 270, left: 56, right: 16, top: 32, bottom: 62 };
  const plotW = layout.w - layout.left - layout.right;
  const plotH = layout.h - layout.top - layout.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ysRaw = series.flatMap((s) =>
    s.points.map((p) => p[1]).filter((y): y is number => y !== null && Number.isFinite(y) && (!f.logY || y > 0)),
  );
  if (xs.length === 0 || ysRaw.length === 0) {
    return frame(
      f,
      layout,
      `<text x="${layout.left}" y="${layout.top + plotH / 2}" font-size="12" fill="#6b7280">no data</text>`,
      [],
    );
  }
  const tf = (y: number): number => (f.logY ? Math.log10(y) : y);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs, xMin + 1);
  let yMin = f.logY ? Math.floor(Math.min(...ysRaw.map(tf))) : Math.min(0, ...ysRaw);
  let yMax = f.logY ? Math.ceil(Math.max(...ysRaw.map(tf))) : Math.max(...ysRaw);
  if (yMax <= yMin) yMax = yMin + 1;
  if (!f.logY) {
    const t = niceTicks(yMin, yMax);
    yMax = Math.max(yMax, t[t.length - 1]!);
    yMin = Math.min(yMin, t[0]!);
  }
  const px = (x: number): number => layout.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number): number => layout.top + plotH - ((tf(y) - yMin) / (yMax - yMin)) * plotH;

  let body = '';
  const yTicks = f.logY ? Array.from({ length: yMax - yMin + 1 }, (_, i) => 10 ** (yMin + i)) : niceTicks(yMin, yMax);
  for (const t of yTicks) {
    const y = py(t);
    body += `<line x1="${layout.left}" y1="${y}" x2="${layout.w - layout.right}" y2="${y}" stroke="#e5e7eb"/>`;
    body += `<text x="${layout.left - 6}" y="${y + 4}" font-size="11" text-anchor="end" fill="#374151">${formatNumber(t)}</text>`;
  }
  for (const t of niceTicks(xMin, xMax, 6)) {
    const x = px(t);
    body += `<line x1="${x}" y1="${layout.top + plotH}" x2="${x}" y2="${layout.top + plotH + 4}" stroke="#6b7280"/>`;
    body += `<text x="${x}" y="${layout.top + plotH + 16}" font-size="11" text-anchor="middle" fill="#374151">${formatNumber(t)}</text>`;
  }
  body += `<text x="${layout.left + plotW / 2}" y="${layout.top + plotH + 30}" font-size="11" text-anchor="middle" fill="#374151">${esc(f.xLabel)}</text>`;
  body += `<rect x="${layout.left}" y="${layout.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`;
  for (const s of series) {
    let d = '';
    let pen = false;
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y) || (f.logY && y <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`;
      pen = true;
    }
    const markers =
      s.points.length <= 12
        ? s.points
            .filter((p) => p[1] !== null && (!f.logY || p[1] > 0))
            .map(([x, y]) => `<circle cx="${px(x).toFixed(1)}" cy="${py(y!).toFixed(1)}" r="3" fill="${s.color}"/>`)
            .join('')
        : '';
    body += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>${markers}`;
  }
  return frame(f, layout, body, series);
}

export interface BarGroup {
  label: string;
  /** One value per bar series, in the order of `names`. */
  values: ReadonlyArray<number | null>;
}

/** Grouped bars: one group per label, one bar per series. */
export function barChart(f: ChartFrame, names: readonly string[], groups: readonly BarGroup[]): string {
  const layout: Layout = { w: f.width ?? 640, h: f.height ?? 280, left: 64, right: 16, top: 32, bottom: 48 };
  const plotW = layout.w - layout.left - layout.right;
  const plotH = layout.h - layout.top - layout.bottom;
  const values = groups
    .flatMap((g) => g.values)
    .filter((v): v is number => v !== null && Number.isFinite(v) && (!f.logY || v > 0));
  const tf = (y: number): number => (f.logY ? Math.log10(y) : y);
  const yMin = f.logY ? Math.floor(Math.min(...values.map(tf), 0)) : 0;
  let yMax = f.logY ? Math.ceil(Math.max(...values.map(tf), 1)) : Math.max(...values, 1);
  if (!f.logY) yMax = Math.max(yMax, niceTicks(0, yMax).at(-1)!);
  const py = (y: number): number => layout.top + plotH - ((tf(y) - yMin) / (yMax - yMin || 1)) * plotH;
  let body = '';
  const ticks = f.logY ? Array.from({ length: yMax - yMin + 1 }, (_, i) => 10 ** (yMin + i)) : niceTicks(0, yMax);
  for (const t of ticks) {
    body += `<line x1="${layout.left}" y1="${py(t)}" x2="${layout.w - layout.right}" y2="${py(t)}" stroke="#e5e7eb"/>`;
    body += `<text x="${layout.left - 6}" y="${py(t) + 4}" font-size="11" text-anchor="end" fill="#374151">${formatNumber(t)}</text>`;
  }
  const groupW = plotW / Math.max(groups.length, 1);
  const barW = (groupW * 0.7) / Math.max(names.length, 1);
  groups.forEach((g, gi) => {
    const x0 = layout.left + gi * groupW + groupW * 0.15;
    g.values.forEach((v, si) => {
      if (v === null || !Number.isFinite(v) || (f.logY && v <= 0)) return;
      const y = py(v);
      const color = PALETTE[si % PALETTE.length]!;
      body += `<rect x="${(x0 + si * barW).toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(layout.top + plotH - y).toFixed(1)}" fill="${color}"/>`;
      body += `<text x="${(x0 + si * barW + barW / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="10" text-anchor="middle">${formatNumber(v)}</text>`;
    });
    body += `<text x="${(x0 + (names.length * barW) / 2).toFixed(1)}" y="${layout.top + plotH + 16}" font-size="11" text-anchor="middle" fill="#374151">${esc(g.label)}</text>`;
  });
  body += `<rect x="${layout.left}" y="${layout.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`;
  return frame(
    f,
    layout,
    body,
    names.map((name, i) => ({ name, color: PALETTE[i % PALETTE.length]! })),
  );
}
