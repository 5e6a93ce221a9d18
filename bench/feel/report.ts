/** bench/results-feel.md from the feel runs: medians with min–max per profile, and the targets. */
import type { NetworkProfile } from './impairment.ts';
import type { RunResult } from './run.ts';
import { spread } from './stats.ts';

export interface ProfileResult {
  name: string;
  profile: NetworkProfile;
  runs: RunResult[];
}

const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function cell(values: number[], digits = 0): string {
  const s = spread(values);
  if (!Number.isFinite(s.median)) return '–';
  return s.min === s.max
    ? fmt(s.median, digits)
    : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** Shots that hit on the shooter's screen and were hits on the server, pooled over the runs. */
function agreement(p: ProfileResult): { agreed: number; onScreen: number; share: number } {
  const agreed = p.runs.reduce((n, r) => n + r.shots.hitsAgreed, 0);
  const onScreen = p.runs.reduce((n, r) => n + r.shots.hitsOnScreen, 0);
  return { agreed, onScreen, share: onScreen > 0 ? agreed / onScreen : Number.NaN };
}

const median = (values: number[]): number => spread(values).median;

export function renderFeel(
  results: ProfileResult[],
  meta: { runs: number; durationS: number; clients: number },
): string {
  const col = (f: (r: RunResult) => number, digits = 0): string[] => results.map((p) => cell(p.runs.map(f), digits));
  const rows: Array<[string, string[]]> = [
    [
      'input → own screen, p50 / p99 (frames at 60 Hz)',
      results.map(
        (p) =>
          `${cell(p.runs.map((r) => r.inputToOwnFrames?.p50 ?? Number.NaN))} / ${cell(p.runs.map((r) => r.inputToOwnFrames?.p99 ?? Number.NaN))}`,
      ),
    ],
    ['input → other client update, p50 (ms)', col((r) => r.inputToOther.p50)],
    ['input → other client update, p99 (ms)', col((r) => r.inputToOther.p99)],
    ['remote player drawn behind the server, p50 (ms)', col((r) => r.remoteBehind.p50)],
    ['remote player drawn behind the server, p99 (ms)', col((r) => r.remoteBehind.p99)],
    ['interpolation delay chosen, p50 (ms)', col((r) => r.interpDelayP50)],
    ['prediction corrections > 4 px per player-minute', col((r) => r.correctionsPerPlayerMinute, 2)],
    [
      'shots hit on shooter’s screen → server hit (pooled)',
      results.map((p) => {
        const a = agreement(p);
        return a.onScreen > 0 ? `${fmt(a.share * 100, 1)} % (${a.agreed}/${a.onScreen})` : '–';
      }),
    ],
    [
      '…of the screen hits the server missed: target already dead there',
      results.map((p) => `${p.runs.reduce((n, r) => n + (r.shots.missesOnDeadTarget ?? 0), 0)}`),
    ],
    [
      'server shots not predicted (cooldown recounted from them)',
      results.map((p) => `${p.runs.reduce((n, r) => n + (r.shots.realigned ?? 0), 0)}`),
    ],
    [
      'predicted shots / never made by the server / ended point-blank, never in a patch / own deaths',
      results.map(
        (p) =>
          `${p.runs.reduce((n, r) => n + r.shots.predicted, 0)} / ${p.runs.reduce((n, r) => n + r.shots.rejected, 0)} / ${p.runs.reduce((n, r) => n + (r.shots.unseen ?? 0), 0)} / ${p.runs.reduce((n, r) => n + (r.shots.deaths ?? 0), 0)}`,
      ),
    ],
    [
      'input buffer depth at step start, p50 / p99 (inputs)',
      results.map(
        (p) =>
          `${fmt(median(p.runs.map((r) => r.inputDepth.p50)), 1)} / ${cell(
            p.runs.map((r) => r.inputDepth.p99),
            1,
          )}`,
      ),
    ],
    ['…worst client’s p99 (inputs)', col((r) => r.inputDepth.worstClientP99, 1)],
    ['inputs left queued after the step, p99', col((r) => r.inputDepth.leftAfterStepP99, 1)],
    [
      'probes timed / lost',
      results.map(
        (p) =>
          `${p.runs.reduce((n, r) => n + r.inputToOther.samples, 0)} / ${p.runs.reduce((n, r) => n + r.inputToOther.lost, 0)}`,
      ),
    ],
    ['chunks held for a retransmission', results.map((p) => `${p.runs.reduce((n, r) => n + r.lostChunks, 0)}`)],
  ];
  if (results.some((p) => p.runs.some((r) => r.browser))) {
    const b = (f: (x: NonNullable<RunResult['browser']>) => number, digits = 0): string[] =>
      results.map((p) =>
        cell(
          p.runs.filter((r) => r.browser).map((r) => f(r.browser!)),
          digits,
        ),
      );
    rows.push(
      [
        'browser page: input → own screen, p50 / p99 (animation frames)',
        results.map((_p, i) => `${b((x) => x.ownFrames.p50)[i]} / ${b((x) => x.ownFrames.p99)[i]}`),
      ],
      ['browser page: corrections > 4 px per minute', b((x) => x.correctionsPerMinute, 2)],
      [
        'browser page: shots hit on screen → server hit',
        results.map((p) => {
          const on = p.runs.reduce((n, r) => n + (r.browser?.shots.hitsOnScreen ?? 0), 0);
          const ok = p.runs.reduce((n, r) => n + (r.browser?.shots.hitsAgreed ?? 0), 0);
          return on > 0 ? `${fmt((ok / on) * 100, 1)} % (${ok}/${on})` : '–';
        }),
      ],
      [
        'browser page: predicted shots / never made by the server',
        results.map(
          (p) =>
            `${p.runs.reduce((n, r) => n + (r.browser?.shots.predicted ?? 0), 0)} / ${p.runs.reduce((n, r) => n + (r.browser?.shots.rejected ?? 0), 0)}`,
        ),
      ],
      ['browser page: interpolation delay at the end (ms)', b((x) => x.interpDelayMs)],
    );
  }
  const header = `| | ${results.map((p) => p.name).join(' | ')} |\n|---|${results.map(() => '---').join('|')}|`;
  const table = rows.map(([label, cells]) => `| ${label} | ${cells.join(' | ')} |`).join('\n');

  const verdicts: string[] = [];
  const find = (rtt: number, loss: number): ProfileResult | undefined =>
    results.find((p) => p.profile.rttMs === rtt && p.profile.lossPct === loss);
  const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
  const loop = find(0, 0);
  if (loop) {
    const p50 = median(loop.runs.map((r) => r.inputToOther.p50));
    const p99 = median(loop.runs.map((r) => r.inputToOther.p99));
    verdicts.push(
      `- Loopback input → other client update p50 ≤ 20 ms: ${fmt(p50, 1)} ms, ${verdict(p50 <= 20)}; p99 ≤ 40 ms: ${fmt(p99, 1)} ms, ${verdict(p99 <= 40)}.`,
    );
  }
  const lossy = find(100, 2);
  if (lossy) {
    const behind = median(lossy.runs.map((r) => r.remoteBehind.p50));
    const limit = lossy.profile.rttMs / 2 + 70;
    const corrections = median(lossy.runs.map((r) => r.correctionsPerPlayerMinute));
    const a = agreement(lossy);
    verdicts.push(
      `- 100 ms ± 10 ms, 2 % loss: remote players ≤ RTT/2 + 70 = ${limit} ms behind at p50: ${fmt(behind, 1)} ms, ${verdict(behind <= limit)}.`,
    );
    verdicts.push(
      `- Same profile: corrections over 4 px < 1 per player-minute: ${fmt(corrections, 2)}, ${verdict(corrections < 1)}.`,
    );
    verdicts.push(
      `- Same profile: ≥ 95 % of shots that hit on the shooter's screen are server hits: ${fmt(a.share * 100, 1)} % of ${a.onScreen}, ${verdict(a.share >= 0.95)}.`,
    );
  }
  const worstDepth = Math.max(...results.flatMap((p) => p.runs.map((r) => r.inputDepth.worstClientP99)));
  verdicts.push(
    `- Input buffer depth p99 ≤ 2 steps for every client: worst client's p99 ${fmt(worstDepth, 1)}, ${verdict(worstDepth <= 2)}.`,
  );

  return [
    '# Feel report',
    '',
    `Generated by \`npm run feel\`. ${meta.clients} instrumented clients in one room, ${meta.runs} runs of ${meta.durationS} s per profile`,
    '(after a 4 s warm-up), each a fresh server process; cells are the median of the runs with min–max in brackets.',
    "Clients are SDK clients running the browser's own netcode (`client/net/prediction.ts`) behind the impairment proxy",
    '(`bench/feel/impairment.ts`): each chunk delayed RTT/2 ± jitter each way; a lost chunk and everything behind it on',
    'its connection held one retransmission timeout (RTT + 200 ms). They strafe, walk into walls, and shoot at the',
    'nearest player their screen shows.',
    '',
    header,
    table,
    '',
    '## Targets (issue 10)',
    '',
    ...verdicts,
  ].join('\n');
}
