/**
 * Renders section 7 of bench/results.md: where this server's CPU goes, and,
 * when the run also profiled the stock Colyseus room, the two side by side.
 *
 * Profiles give shares of the main thread's busy time, not CPU: the process
 * also spends CPU in the kernel (loopback TCP for both ends), in GC helper
 * threads and in the profiler itself. So a group's cost per client is its
 * share of busy time times the server's measured CPU per client at the same
 * load (the comparison's median): an attribution of the measured figure, not
 * a second measurement of it.
 */
import { type ProfileGroup, type ProfileSummary, PROFILE_GROUPS } from './profile.ts';

const f = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);

const share = (p: ProfileSummary, group: ProfileGroup): number =>
  (p.groups.find((g) => g.group === group)?.ms ?? 0) / Math.max(1, p.busyMs);

/** One group's attributed CPU per client per second, ms, for this server and the stock room. */
export interface GroupCost {
  group: ProfileGroup;
  arenaMs: number;
  stockMs: number;
}

/**
 * Each group's share of busy time times each server's measured CPU ms per
 * client per second, largest difference first.
 */
export function groupCosts(
  arena: ProfileSummary,
  stock: ProfileSummary,
  arenaCpuMs: number,
  stockCpuMs: number,
): GroupCost[] {
  return PROFILE_GROUPS.map((group) => ({
    group,
    arenaMs: share(arena, group) * arenaCpuMs,
    stockMs: share(stock, group) * stockCpuMs,
  })).sort((a, b) => b.arenaMs - b.stockMs - (a.arenaMs - a.stockMs));
}

/** "profile vs stock: receive +0.120, decode +0.080 ms" for a target's miss note. */
export function differenceNote(costs: GroupCost[], n = 3): string {
  return `profile vs stock (ms per client-s): ${costs
    .slice(0, n)
    .map((c) => `${c.group} +${f(c.arenaMs - c.stockMs, 3)}`)
    .join(', ')}`;
}

/** Markdown lines of section 7. */
export function renderProfiles(
  profile: { date: string; loadAverage: number[]; summary: ProfileSummary; stock?: ProfileSummary },
  clients: number,
  arenaCpuMs: number | undefined,
  stockCpuMs: number | undefined,
): string[] {
  const p = profile.summary;
  const md: string[] = [];
  md.push("### 7. Where the server's CPU goes (`npm run bench -- --profile`)", '');
  md.push(
    `V8 CPU profiles at the comparison load (${clients} bots, everyone moving) over the measured window only (the inspector's profiler, started after the ramp and stopped before the end by \`bench/profileHook.ts\`), taken ${profile.date} at load average ${profile.loadAverage.join(', ')}: this server ${f(p.busyMs / 1000)} s busy of ${f(p.wallMs / 1000)} s profiled${profile.stock ? `, the stock room ${f(profile.stock.busyMs / 1000)} s of ${f(profile.stock.wallMs / 1000)} s` : ''}. Each sample is charged to the nearest frame (from the leaf up) that a rule in \`bench/profile.ts\` recognises: \`ws\` reads and frame policing are *receive*, input decoding and buffering *decode*, \`ArenaGame\`/\`shared/sim.ts\` *step*, lag-compensation history *rewind*, the schema serializer *encode*, \`ws\` writes *send*. The profiler's own sampling inflates absolute time a little; shares are what to read.`,
    '',
  );
  const stock = profile.stock;
  if (stock && arenaCpuMs !== undefined && stockCpuMs !== undefined) {
    md.push(
      `Side by side: each group's share of busy time, and that share times the server's measured CPU per client (${f(arenaCpuMs, 3)} ms for this server, ${f(stockCpuMs, 3)} ms for the stock room, medians of section 2), so the last column adds up to the gap between the two. Largest difference first.`,
      '',
    );
    md.push(
      '| Group | This server | Stock room | This server ms/client-s | Stock ms/client-s | Difference | Heaviest here (self ms) | Heaviest in stock (self ms) |',
      '|---|---|---|---|---|---|---|---|',
    );
    const top = (s: ProfileSummary, g: ProfileGroup): string =>
      (s.groups.find((x) => x.group === g)?.top ?? []).map((t) => `\`${t.fn}\` ${f(t.ms, 0)}`).join('; ');
    for (const c of groupCosts(p, stock, arenaCpuMs, stockCpuMs)) {
      md.push(
        `| ${c.group} | ${f(share(p, c.group) * 100)} % | ${f(share(stock, c.group) * 100)} % | ${f(c.arenaMs, 3)} | ${f(c.stockMs, 3)} | ${c.arenaMs >= c.stockMs ? '+' : ''}${f(c.arenaMs - c.stockMs, 3)} | ${top(p, c.group)} | ${top(stock, c.group)} |`,
      );
    }
    md.push('');
    return md;
  }
  md.push('| Group | Busy ms | Share | Heaviest functions (self ms) |', '|---|---|---|---|');
  for (const g of p.groups) {
    md.push(
      `| ${g.group} | ${f(g.ms, 0)} | ${f((g.ms / p.busyMs) * 100)} % | ${g.top.map((t) => `\`${t.fn}\` ${f(t.ms, 0)}`).join('; ')} |`,
    );
  }
  md.push('');
  return md;
}
