/**
 * The server's half of input pacing (see `shared/inputPace.ts`): it sees how
 * many inputs each client has queued as every step starts, averages that over
 * a window, and says when a client's input clock should change rate.
 */
import { rateScaleFor } from '../../shared/inputPace.ts';

/** Steps averaged per decision: one second at 30 Hz, long enough to average out network jitter. */
export const PACE_WINDOW_STEPS = 30;

interface Window {
  sum: number;
  steps: number;
  /** The scale the client was last told (1 until told otherwise). */
  told: number;
}

export class InputPacer {
  private readonly clients = new Map<string, Window>();

  constructor(private readonly windowSteps = PACE_WINDOW_STEPS) {}

  /**
   * Record the inputs `sessionId` has queued as a step starts.
   *
   * @returns the input clock scale to send that client when it changes
   *   (at most once per window), else undefined
   */
  observe(sessionId: string, depth: number): number | undefined {
    let w = this.clients.get(sessionId);
    if (!w) {
      w = { sum: 0, steps: 0, told: 1 };
      this.clients.set(sessionId, w);
    }
    w.sum += depth;
    w.steps += 1;
    if (w.steps < this.windowSteps) return undefined;
    const sum = w.sum;
    w.sum = 0;
    w.steps = 0;
    // Nothing queued all window: the client is not sending (a hidden tab, a spectator), so its clock says nothing.
    if (sum === 0) return undefined;
    const scale = rateScaleFor(sum / this.windowSteps);
    if (scale === w.told) return undefined;
    w.told = scale;
    return scale;
  }

  forget(sessionId: string): void {
    this.clients.delete(sessionId);
  }
}
