/**
 * Groups a V8 CPU profile (`node --cpu-prof`) of the game server into where
 * the time goes per client: receiving frames, decoding inputs, the game step,
 * lag-compensation rewind, encoding patches, sending, multi-instance work
 * (edge channel, Redis clients: `npm run bench:cluster`), GC, metrics, other.
 *
 * Each sample is charged to the first frame, walking from the leaf towards
 * the root, that a rule recognises, so a `ws` send called from the patch
 * broadcast counts as "send" and the schema encoding above it as "encode".
 * Frames of shared libraries (the schema codec, timers) say nothing on their
 * own and the walk goes on past them.
 */

import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The grouped summary's categories, in report order. */
export const PROFILE_GROUPS = [
  'receive',
  'decode',
  'step',
  'rewind',
  'encode',
  'send',
  'cluster',
  'gc',
  'metrics',
  'other',
] as const;
export type ProfileGroup = (typeof PROFILE_GROUPS)[number];

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
/** The parts of a `.cpuprofile` file this reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Profiled wall time, ms. */
  wallMs: number;
  /** Time the process was busy (not idle), ms. */
  busyMs: number;
  /** Per group: busy ms and the heaviest functions charged to it (self ms). */
  groups: { group: ProfileGroup; ms: number; top: { fn: string; ms: number }[] }[];
}

const rule = (frame: CallFrame): ProfileGroup | undefined => {
  const { url, functionName: fn } = frame;
  if (fn === '(garbage collector)') return 'gc';
  if (url.includes('/ws/lib/sender') || url.includes('/ws/lib/buffer-util')) return 'send';
  if (url.includes('/ws/lib/receiver') || url.includes('/ws/lib/permessage')) return 'receive';
  if (url.includes('/ws/lib/websocket')) return /send|write/iu.test(fn) ? 'send' : 'receive';
  if (url.includes('stream_base_commons') || url.includes('node:net')) {
    if (/write/iu.test(fn)) return 'send';
    if (/read/iu.test(fn)) return 'receive';
  }
  if (url.includes('/server/metrics.ts') || url.includes('/prom-client/')) return 'metrics';
  // Multi-instance work: the edge channel, placement, the registry, Redis clients (their socket writes count as send).
  if (url.includes('/server/cluster/') || url.includes('/ioredis/') || url.includes('@colyseus/redis-'))
    return 'cluster';
  if (url.includes('@colyseus/core/build/Rewind')) return 'rewind';
  if (url.includes('@colyseus/core/build/input/') || url.includes('@colyseus/schema/build/input')) return 'decode';
  if (url.includes('/shared/inputDecoder') || url.includes('/server/game/inputSlots')) return 'decode';
  if (url.includes('/server/game/lagHistory')) return 'rewind';
  if (url.includes('@colyseus/core/build/serializer/')) return 'encode';
  if (url.includes('/shared/sim.ts') || url.includes('/shared/broadphase') || url.includes('/server/game/'))
    return 'step';
  if (url.includes('/server/rooms/frameGuard') || url.includes('@colyseus/ws-transport')) {
    return /send|raw|enqueue/iu.test(fn) ? 'send' : 'receive';
  }
  if (url.includes('@colyseus/core/build/Room.')) {
    if (fn.includes('broadcastPatch') || fn.includes('Flush') || fn.includes('flush')) return 'encode';
    if (fn.includes('onMessage')) return 'receive';
  }
  return undefined;
};

/** Last resort for samples no rule recognised: schema codec frames by name. */
const fallback = (stack: CallFrame[]): ProfileGroup => {
  for (const frame of stack) {
    if (!frame.url.includes('@colyseus/schema')) continue;
    if (/decode/iu.test(frame.functionName)) return 'decode';
    if (/encode|change/iu.test(frame.functionName)) return 'encode';
  }
  return 'other';
};

const label = (f: CallFrame): string => {
  const file = f.url.replace(/^.*\/(node_modules\/)?/u, '').replace(/^file:\/\//u, '');
  // Line numbers of TypeScript sources are of tsx's output, not the file: leave them out.
  const line = file && !file.endsWith('.ts') ? `:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${file}${line}`.trim();
};

/** Group a profile's samples; idle time is left out of `busyMs` and the groups. */
export function summarizeProfile(profile: CpuProfile, topN = 3): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const groupOf = new Map<number, ProfileGroup>();
  const classify = (id: number): ProfileGroup => {
    const known = groupOf.get(id);
    if (known !== undefined) return known;
    const stack: CallFrame[] = [];
    let group: ProfileGroup | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      stack.push(frame);
      group = rule(frame);
      if (group) break;
    }
    const result = group ?? fallback(stack);
    groupOf.set(id, result);
    return result;
  };
  const ms = new Map<ProfileGroup, number>(PROFILE_GROUPS.map((g) => [g, 0]));
  const selfMs = new Map<string, { group: ProfileGroup; ms: number }>();
  let busyMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    // A sample's time is the gap to the next one.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busyMs += dt;
    const group = classify(id);
    ms.set(group, ms.get(group)! + dt);
    const key = `${group}\u0000${label(frame)}`;
    const entry = selfMs.get(key) ?? { group, ms: 0 };
    entry.ms += dt;
    selfMs.set(key, entry);
  }
  const groups = PROFILE_GROUPS.map((group) => ({
    group,
    ms: ms.get(group)!,
    top: [...selfMs.entries()]
      .filter(([, v]) => v.group === group)
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, topN)
      .map(([k, v]) => ({ fn: k.split('\u0000')[1]!, ms: v.ms })),
  }));
  return { wallMs: (profile.endTime - profile.startTime) / 1000, busyMs, groups };
}

/**
 * Frames of a bundle (`dist/server/index.mjs`, as `npm run bench` profiles
 * the server as deployed) renamed to the source file each function came from,
 * through the bundle's source map, so the rules above see `server/game/…`
 * and not one file. Frames of files without a `.map` beside them are left as
 * they are. Mutates and returns `profile`.
 */
export function withSourceFiles(profile: CpuProfile): CpuProfile {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (url: string): SourceMap | undefined => {
    if (!maps.has(url)) {
      const file = `${fileURLToPath(url)}.map`;
      maps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : undefined);
    }
    return maps.get(url);
  };
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    if (!frame.url.startsWith('file://') || !frame.url.endsWith('.mjs') || frame.url.includes('/node_modules/'))
      continue;
    const entry = mapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber ?? 0);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      frame.url = new URL(entry.originalSource, frame.url).href;
    }
  }
  return profile;
}
