/**
 * Input pacing: the server keeps each client's queue of unprocessed inputs
 * near one step by asking the client to run its input clock slightly faster
 * or slower (as shipped shooters do), so a client whose clock runs fast does
 * not build a standing queue of latency, and one that runs slow does not
 * leave steps without input. The server's half measures and decides
 * ({@link rateScaleFor}); the client's half ({@link InputClock}) sends more or
 * fewer inputs than its nominal fixed steps. Pure: no clock is read here.
 */

/** Slowest input clock the server may ask for: 5 % fewer inputs than nominal. */
export const INPUT_RATE_SCALE_MIN = 0.95;
/** Fastest input clock the server may ask for: 5 % more inputs than nominal. */
export const INPUT_RATE_SCALE_MAX = 1.05;
/** Inputs a client should have queued when a step starts: the one that step consumes. */
export const TARGET_INPUT_DEPTH = 1;
/** Mean depths this close to the target need no correction (network jitter alone moves it this much). */
export const INPUT_DEPTH_DEADBAND = 0.35;
/** Rate change per input of mean depth error: a standing queue of 3 drains in about two seconds. */
const RATE_GAIN_PER_INPUT = 0.03;

/**
 * The input clock rate a client should run at, given its mean queue depth
 * over the last window of steps (in inputs, measured as each step starts).
 *
 * @returns a scale in [{@link INPUT_RATE_SCALE_MIN}, {@link INPUT_RATE_SCALE_MAX}],
 *   in hundredths; exactly 1 within the dead band
 */
export function rateScaleFor(meanDepth: number): number {
  if (!Number.isFinite(meanDepth)) return 1;
  const error = meanDepth - TARGET_INPUT_DEPTH;
  if (Math.abs(error) <= INPUT_DEPTH_DEADBAND + 1e-9) return 1;
  const scale = Math.round((1 - RATE_GAIN_PER_INPUT * error) * 100) / 100;
  return Math.min(INPUT_RATE_SCALE_MAX, Math.max(INPUT_RATE_SCALE_MIN, scale));
}

/**
 * The client's input clock: turns the nominal fixed steps due (one per
 * 1/30 s) into inputs to send, at the rate the server last asked for. At a
 * scale of 1 it sends exactly the nominal steps; at 1.03 one extra input
 * about every 33 steps; at 0.97 one fewer.
 */
export class InputClock {
  private scale = 1;
  /** Fraction of an input owed; starts half-way so a change of rate acts after half its period, not at once. */
  private owed = 0.5;

  /** The current rate scale (1 = nominal). */
  get rateScale(): number {
    return this.scale;
  }

  /** Adopt the rate the server asked for, clamped to the legal range; a non-finite value is ignored. */
  setRateScale(scale: number): void {
    if (!Number.isFinite(scale)) return;
    this.scale = Math.min(INPUT_RATE_SCALE_MAX, Math.max(INPUT_RATE_SCALE_MIN, scale));
  }

  /**
   * @param dueSteps nominal fixed steps that fell due since the last call (≥ 0)
   * @returns inputs to send now
   */
  pace(dueSteps: number): number {
    if (!(dueSteps > 0)) return 0;
    this.owed += dueSteps * this.scale;
    const send = Math.floor(this.owed);
    this.owed -= send;
    return send;
  }
}
