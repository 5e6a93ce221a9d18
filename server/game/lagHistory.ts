/**
 * Lag-compensation history: where every player was at each recorded step,
 * for hit tests judged against the positions a shooter saw. Same answers as
 * Colyseus's `Rewind` views over the same records (same ring size, clamps and
 * interpolation, to the bit), but a lookup finds its samples by binary search
 * over the ring's times instead of a scan, allocates nothing, and each player
 * carries the box its retained positions span, so a broad phase can skip
 * players a projectile cannot reach (see `shared/broadphase.ts`).
 */
import type { Point } from '../../shared/map.ts';

/** Box in world pixels. */
export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

interface Track {
  xs: Float64Array;
  ys: Float64Array;
  /** Samples this player has in the ring (the newest `count` of the ring's). */
  count: number;
  /** The record this track last took a sample in: tracks of players gone are dropped. */
  recordNo: number;
  box: Box;
}

/** What is recorded of a player: its position. */
export interface Positioned {
  readonly x: number;
  readonly y: number;
}

export class LagHistory {
  private readonly cap: number;
  private readonly times: Float64Array;
  /** Next slot to write. */
  private head = 0;
  private recordNo = 0;
  private newestMs = -1;
  private readonly tracks = new Map<Positioned, Track>();

  /**
   * @param maxRewindMs furthest a lookup rewinds, in ms (older times read the oldest position kept)
   * @param stepMs time between records, in ms; sizes the ring as Colyseus sizes its own
   */
  constructor(
    private readonly maxRewindMs: number,
    stepMs: number,
  ) {
    this.cap = Math.max(2, Math.ceil(maxRewindMs / stepMs) + 4);
    this.times = new Float64Array(this.cap);
  }

  /** Server time (ms) of the newest record, -1 before the first. */
  get lastRecordedAt(): number {
    return this.newestMs;
  }

  /** Record every player's position at server time `nowMs` (once per step, after it). */
  record(nowMs: number, players: Iterable<Positioned>): void {
    const slot = this.head;
    const recordNo = ++this.recordNo;
    this.times[slot] = nowMs;
    this.newestMs = nowMs;
    for (const p of players) {
      let track = this.tracks.get(p);
      if (!track) {
        track = {
          xs: new Float64Array(this.cap),
          ys: new Float64Array(this.cap),
          count: 0,
          recordNo,
          box: { minX: 0, minY: 0, maxX: 0, maxY: 0 },
        };
        this.tracks.set(p, track);
      }
      track.xs[slot] = p.x;
      track.ys[slot] = p.y;
      track.recordNo = recordNo;
      if (track.count < this.cap) track.count++;
      this.bound(track, slot);
    }
    for (const [p, track] of this.tracks) if (track.recordNo !== recordNo) this.tracks.delete(p);
    this.head = (slot + 1) % this.cap;
  }

  private bound(track: Track, newest: number): void {
    const box = track.box;
    box.minX = box.maxX = track.xs[newest]!;
    box.minY = box.maxY = track.ys[newest]!;
    for (let i = 1; i < track.count; i++) {
      const s = (newest - i + this.cap) % this.cap;
      const x = track.xs[s]!;
      const y = track.ys[s]!;
      if (x < box.minX) box.minX = x;
      else if (x > box.maxX) box.maxX = x;
      if (y < box.minY) box.minY = y;
      else if (y > box.maxY) box.maxY = y;
    }
  }

  /**
   * Where `player` was `lagMs` before the newest record, written to `out`:
   * live when `lagMs <= 0` or the player has no record yet; the rewind is
   * clamped to `maxRewindMs`, as `Rewind.at` clamps it.
   */
  positionAgo(player: Positioned, lagMs: number, out: { x: number; y: number }): Point {
    const track = lagMs > 0 ? this.tracks.get(player) : undefined;
    if (!track) {
      out.x = player.x;
      out.y = player.y;
      return out;
    }
    const newest = this.newestMs;
    const oldestAllowed = newest - this.maxRewindMs;
    const t = newest - lagMs;
    const time = t <= 0 ? newest : Math.max(t, oldestAllowed);
    this.read(track, time, out);
    return out;
  }

  /**
   * The box every position {@link positionAgo} can return for `player` lies
   * in, written to `out`: its retained positions and its live one.
   */
  boundsOf(player: Positioned, out: Box): Box {
    const track = this.tracks.get(player);
    out.minX = out.maxX = player.x;
    out.minY = out.maxY = player.y;
    if (track) {
      const b = track.box;
      if (b.minX < out.minX) out.minX = b.minX;
      if (b.maxX > out.maxX) out.maxX = b.maxX;
      if (b.minY < out.minY) out.minY = b.minY;
      if (b.maxY > out.maxY) out.maxY = b.maxY;
    }
    return out;
  }

  /** Colyseus's `EntityHistory.valueAt` for both axes, with a binary search for the scan. */
  private read(track: Track, time: number, out: { x: number; y: number }): void {
    const cap = this.cap;
    const times = this.times;
    const oldest = (this.head - track.count + cap) % cap;
    const newest = (this.head - 1 + cap) % cap;
    if (time <= times[oldest]!) {
      out.x = track.xs[oldest]!;
      out.y = track.ys[oldest]!;
      return;
    }
    if (time >= times[newest]!) {
      out.x = track.xs[newest]!;
      out.y = track.ys[newest]!;
      return;
    }
    // First sample i in [1, count) at or after `time` (times never decrease along the ring).
    let lo = 1;
    let hi = track.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[(oldest + mid) % cap]! >= time) hi = mid;
      else lo = mid + 1;
    }
    const idx = (oldest + lo) % cap;
    const prev = (oldest + lo - 1) % cap;
    const t0 = times[prev]!;
    const t1 = times[idx]!;
    const a = t1 > t0 ? (time - t0) / (t1 - t0) : 0;
    out.x = track.xs[prev]! + (track.xs[idx]! - track.xs[prev]!) * a;
    out.y = track.ys[prev]! + (track.ys[idx]! - track.ys[prev]!) * a;
  }
}
