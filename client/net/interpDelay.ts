/**
 * How far in the past to draw remote players, from the measured snapshot
 * jitter instead of a constant: as small as the arrivals allow, growing when
 * the network gets worse, capped. Pure: every time is passed in (ms).
 *
 * Remote players are drawn at (the server time the quickest recent snapshot
 * implies) − delay, between the two snapshots that bracket that instant. Just before a snapshot arrives the
 * newest one in hand is one interval old, so the delay must cover one
 * snapshot interval plus how late a snapshot can be: the jitter. Jitter is
 * estimated as in RFC 3550 (an exponentially smoothed mean of how much each
 * snapshot's transit time differs from the previous one's), which follows a
 * worsening network within a few snapshots; a change of transit time larger
 * than two intervals (a TCP retransmission holding everything behind it)
 * counts as two, so stalls no delay could cover do not inflate it.
 */

/** Jitter multiples added to one interval: covers about 95 % of late snapshots on a steady jittery link. */
export const JITTER_MARGIN = 2.5;
/** Never below one and a half intervals: below that, frame timing and clock-estimate noise alone underrun the buffer. */
export const MIN_DELAY_INTERVALS = 1.5;
/** Never more than this behind (ms): past it a stall shows as a freeze rather than a late world. */
export const MAX_INTERP_DELAY_MS = 250;
/** Growth is at most this many ms per second: a slow-motion of 10 % at worst, not a jump back. */
export const DELAY_RISE_MS_PER_S = 100;
/** Shrinking is at most this many ms per second: a fast-forward of 2 %, invisible. */
export const DELAY_FALL_MS_PER_S = 20;

/**
 * The delay (ms) a jitter of `jitterMs` calls for, with snapshots every
 * `intervalMs`: one interval plus {@link JITTER_MARGIN} jitters, within
 * [{@link MIN_DELAY_INTERVALS} intervals, {@link MAX_INTERP_DELAY_MS}].
 */
export function targetDelayMs(intervalMs: number, jitterMs: number): number {
  const jitter = Number.isFinite(jitterMs) && jitterMs > 0 ? jitterMs : 0;
  const wanted = intervalMs + JITTER_MARGIN * jitter;
  return Math.min(MAX_INTERP_DELAY_MS, Math.max(MIN_DELAY_INTERVALS * intervalMs, wanted));
}

/**
 * Move `currentMs` toward `targetMs` over `elapsedMs` of real time, no
 * faster than {@link DELAY_RISE_MS_PER_S} up or {@link DELAY_FALL_MS_PER_S}
 * down, so a change of delay never makes remote players jump.
 */
export function slewDelayMs(currentMs: number, targetMs: number, elapsedMs: number): number {
  const dt = Math.max(0, elapsedMs) / 1000;
  if (targetMs > currentMs) return Math.min(targetMs, currentMs + DELAY_RISE_MS_PER_S * dt);
  return Math.max(targetMs, currentMs - DELAY_FALL_MS_PER_S * dt);
}

/** Transit changes count up to this many snapshot intervals (beyond is a stall, not jitter). */
const STALL_INTERVALS = 2;
/** Smoothing of the RFC 3550 estimator: each snapshot moves the estimate 1/16 of the way. */
const JITTER_GAIN = 1 / 16;

/** Snapshots whose transit times are remembered to find the fastest recent delivery: about three seconds at 30 Hz. */
const OFFSET_WINDOW = 90;

/**
 * The interpolation delay of one room connection, fed snapshot arrivals and
 * read once per frame. It also keeps the server clock as the fastest recent
 * snapshot saw it ({@link serverTimeAt}): drawing at that time minus the
 * delay puts remote players as little behind the server as the network's
 * quickest delivery allows, where a round-trip estimate (which a TCP
 * retransmission inflates) would put them further back.
 */
export class AdaptiveDelay {
  private jitter = 0;
  private lastTransitMs = Number.NaN;
  private readonly offsets: number[] = [];
  private offsetHead = 0;
  private delay: number;
  private lastFrameMs = Number.NaN;

  /** @param intervalMs time between two server snapshots (one fixed step), ms */
  constructor(private readonly intervalMs: number) {
    this.delay = targetDelayMs(intervalMs, 0);
  }

  /**
   * A snapshot stamped `serverTimeMs` by the server arrived at local time
   * `arrivalMs`. Only differences of transit times are used, so the two
   * clocks need no common origin.
   */
  observe(arrivalMs: number, serverTimeMs: number): void {
    if (!Number.isFinite(arrivalMs) || !Number.isFinite(serverTimeMs)) return;
    const transit = arrivalMs - serverTimeMs;
    if (Number.isFinite(this.lastTransitMs)) {
      // A transit change beyond two intervals is a stall (a TCP retransmission holding what is
      // behind it), not jitter: no sane delay covers it, so it counts as two intervals at most.
      const d = Math.min(Math.abs(transit - this.lastTransitMs), STALL_INTERVALS * this.intervalMs);
      this.jitter += (d - this.jitter) * JITTER_GAIN;
    }
    this.lastTransitMs = transit;
    if (this.offsets.length < OFFSET_WINDOW) this.offsets.push(-transit);
    else this.offsets[this.offsetHead] = -transit;
    this.offsetHead = (this.offsetHead + 1) % OFFSET_WINDOW;
  }

  /**
   * The server time (ms) at local time `nowMs`, as the quickest of the recent
   * snapshots measured it (a snapshot arriving now by the fastest path would
   * carry this stamp); NaN before the first snapshot.
   */
  serverTimeAt(nowMs: number): number {
    if (this.offsets.length === 0) return Number.NaN;
    return nowMs + Math.max(...this.offsets);
  }

  /** The measured snapshot jitter, ms. */
  get jitterMs(): number {
    return this.jitter;
  }

  /** The delay to draw this frame with (ms), moved toward the target for the time since the last frame. */
  frame(nowMs: number): number {
    const elapsed = Number.isFinite(this.lastFrameMs) ? nowMs - this.lastFrameMs : 0;
    this.lastFrameMs = nowMs;
    this.delay = slewDelayMs(this.delay, targetDelayMs(this.intervalMs, this.jitter), elapsed);
    return this.delay;
  }

  /** The delay of the last frame, ms. */
  get delayMs(): number {
    return this.delay;
  }
}
