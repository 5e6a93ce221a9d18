/**
 * Durations with units and load profiles made of stages.
 *
 * A stage is `<duration>:<bots>`: over the duration, the number of bots goes
 * linearly from where the previous stage ended (0 at the start) to `bots`.
 * `30s:100,2m:500,30s:0` brings in 100 bots over 30 s, grows to 500 over two
 * minutes, then takes them all away over 30 s. A run is split into parts
 * (worker threads, shards on other machines); every part runs the same
 * stages with its share of each target, so the parts add up to the whole.
 */

/** One stage: reach `target` bots, linearly, over `durationS` seconds. */
export interface Stage {
  durationS: number;
  target: number;
}

const UNIT_S: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Seconds from a duration: `90s`, `2m`, `1.5h`, `500ms`, or a bare number of
 * seconds (`45`). Throws a message naming `flag` on anything else.
 */
export function parseDuration(flag: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/u.exec(raw);
  if (!m) throw new Error(`${flag} must be a duration like 90s, 2m, 1h or a number of seconds, got "${raw}"`);
  return Number(m[1]) * UNIT_S[m[2] ?? 's']!;
}

/** Parse `30s:100,2m:500,30s:0`; at most 1 000 000 bots and 100 stages. */
export function parseStages(raw: string): Stage[] {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0 || parts.length > 100)
    throw new Error(`--stages needs 1 to 100 stages like 30s:100,2m:500,30s:0, got "${raw}"`);
  return parts.map((part) => {
    const m = /^([^:]+):(\d+)$/u.exec(part);
    if (!m) throw new Error(`--stages: each stage is <duration>:<bots>, like 2m:500; got "${part}"`);
    const durationS = parseDuration('--stages', m[1]!);
    const target = Number(m[2]);
    if (target > 1_000_000) throw new Error(`--stages: at most 1000000 bots in a stage, got ${target}`);
    return { durationS, target };
  });
}

/** Total length of the stages, seconds. */
export function stagesDurationS(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.durationS, 0);
}

/** The highest target of any stage. */
export function peakTarget(stages: readonly Stage[]): number {
  return stages.reduce((max, s) => Math.max(max, s.target), 0);
}

/** Bots wanted `tS` seconds into the run (whole bots, rounded up while growing so the last one arrives on time). */
export function targetAt(stages: readonly Stage[], tS: number): number {
  let from = 0;
  let start = 0;
  for (const stage of stages) {
    const end = start + stage.durationS;
    if (tS < end) {
      const share = stage.durationS > 0 ? (tS - start) / stage.durationS : 1;
      const value = from + (stage.target - from) * Math.max(0, share);
      return Math.max(0, stage.target >= from ? Math.ceil(value - 1e-9) : Math.floor(value + 1e-9));
    }
    from = stage.target;
    start = end;
  }
  return from;
}

/** The classic profile as stages: ramp to `bots` over `rampS`, hold until `durationS`. */
export function rampStages(bots: number, durationS: number, rampS: number): Stage[] {
  const stages: Stage[] = [];
  if (rampS > 0) stages.push({ durationS: rampS, target: bots });
  if (durationS - rampS > 0 || stages.length === 0)
    stages.push({ durationS: Math.max(0, durationS - rampS), target: bots });
  return stages;
}

/** Part `index`'s share of `n` bots when split into `count` near-equal parts. */
export function shareOf(n: number, index: number, count: number): number {
  return Math.floor((n * (index + 1)) / count) - Math.floor((n * index) / count);
}

/** The stages of part `index` of `count`: every target replaced by the part's share. */
export function partStages(stages: readonly Stage[], index: number, count: number): Stage[] {
  return stages.map((s) => ({ durationS: s.durationS, target: shareOf(s.target, index, count) }));
}

/**
 * Where the measured window starts: after the first stage when it brings bots
 * in from zero and at least 2 s of run remain after it (the classic ramp),
 * else at the start.
 */
export function measureFromS(stages: readonly Stage[]): number {
  const first = stages[0];
  if (!first || stages.length < 2 || first.target === 0) return 0;
  return stagesDurationS(stages) - first.durationS >= 2 ? first.durationS : 0;
}
