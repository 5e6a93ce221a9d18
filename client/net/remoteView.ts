/**
 * Remote players drawn in the past: each patch's positions and aims are kept
 * per player, stamped with the server time of the patch, and drawn at a
 * render instant between the two snapshots that bracket it. The render
 * instant comes from the caller (server time minus the adaptive delay of
 * `interpDelay.ts`), so the delay can change from frame to frame; the SDK's
 * own interpolation fixes its delay when a collection is attached.
 */

/** One snapshot of a remote player: server time (ms) and what it carried. */
interface Sample {
  t: number;
  x: number;
  y: number;
  aimRad: number;
}

/** Snapshots kept per player: about a second at 30 Hz, more than the largest delay. */
const RING_CAP = 32;

/** A drawn position and aim. */
export interface RemotePose {
  x: number;
  y: number;
  aimRad: number;
}

/** Shortest signed turn from `a` to `b`, radians in (−π, π]. */
function turn(a: number, b: number): number {
  let d = (b - a) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  if (d <= -Math.PI) d += 2 * Math.PI;
  return d;
}

/** The snapshots of one remote player. */
export class RemoteTrack {
  private readonly ring: Sample[] = [];

  /** @param teleportPx a jump longer than this between two snapshots is drawn as a cut (a respawn), not a glide */
  constructor(private readonly teleportPx: number) {}

  /** Add the snapshot stamped `t` (server ms); a second one with the same stamp replaces it. */
  push(t: number, x: number, y: number, aimRad: number): void {
    const last = this.ring.at(-1);
    if (last && t < last.t) return;
    if (last && Math.hypot(x - last.x, y - last.y) > this.teleportPx) this.ring.length = 0;
    if (last && last.t === t && this.ring.length > 0) this.ring.pop();
    this.ring.push({ t, x, y, aimRad });
    if (this.ring.length > RING_CAP) this.ring.shift();
  }

  /** The server time (ms) of what {@link at} shows at `t`: `t` itself, or the end it is held at. */
  shownTime(t: number): number | undefined {
    const n = this.ring.length;
    if (n === 0) return undefined;
    return Math.min(this.ring[n - 1]!.t, Math.max(this.ring[0]!.t, t));
  }

  /** Snapshots held. */
  get size(): number {
    return this.ring.length;
  }

  /**
   * The pose at server time `t`: interpolated between the bracketing
   * snapshots; held at the oldest or newest outside them (never extrapolated:
   * a late snapshot shows as a brief stop, not as a guess walking through a wall).
   */
  at(t: number, out: RemotePose): RemotePose | undefined {
    const ring = this.ring;
    const n = ring.length;
    if (n === 0) return undefined;
    const newest = ring[n - 1]!;
    if (n === 1 || t >= newest.t) return copy(newest, out);
    if (t <= ring[0]!.t) return copy(ring[0]!, out);
    let k = n - 2;
    while (k > 0 && ring[k]!.t > t) k--;
    const a = ring[k]!;
    const b = ring[k + 1]!;
    const f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1;
    out.x = a.x + (b.x - a.x) * f;
    out.y = a.y + (b.y - a.y) * f;
    out.aimRad = a.aimRad + turn(a.aimRad, b.aimRad) * f;
    return out;
  }
}

function copy(s: Sample, out: RemotePose): RemotePose {
  out.x = s.x;
  out.y = s.y;
  out.aimRad = s.aimRad;
  return out;
}

/** What a remote player looks like in the state, for {@link RemoteView.record}. */
export interface RemoteSource {
  x: number;
  y: number;
  aimRad: number;
}

/** Every remote player of a room. */
export class RemoteView {
  private readonly tracks = new Map<string, RemoteTrack>();
  private readonly seen = new Set<string>();

  constructor(private readonly teleportPx: number) {}

  /** Record one patch (stamped `t`, server ms) of every player but `selfId`; players gone from it are forgotten. */
  record(t: number, players: Iterable<[string, RemoteSource]>, selfId: string): void {
    this.seen.clear();
    for (const [id, p] of players) {
      if (id === selfId) continue;
      this.seen.add(id);
      let track = this.tracks.get(id);
      if (!track) {
        track = new RemoteTrack(this.teleportPx);
        this.tracks.set(id, track);
      }
      track.push(t, p.x, p.y, p.aimRad);
    }
    for (const id of this.tracks.keys()) if (!this.seen.has(id)) this.tracks.delete(id);
  }

  /** The server time (ms) whose pose of player `id` is drawn at render instant `t`. */
  shownTime(id: string, t: number): number | undefined {
    return this.tracks.get(id)?.shownTime(t);
  }

  /** Pose of player `id` at server time `t`, or undefined when no snapshot of it is held. */
  at(id: string, t: number, out: RemotePose): RemotePose | undefined {
    return this.tracks.get(id)?.at(t, out);
  }
}
