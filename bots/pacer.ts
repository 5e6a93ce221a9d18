/**
 * Drives every bot's tick from one timer. Bots are spread over `slots` evenly
 * spaced phases of the period, like players whose frames are not in step, and
 * each bot fires exactly once per period: the schedule is kept against the
 * clock (no drift from rounded timer delays), and when the process falls a
 * whole period behind, the missed ticks are skipped and counted rather than
 * sent in a burst.
 */
import { performance } from 'node:perf_hooks';

export type TickFn = (nowMs: number) => void;

export class Pacer {
  private readonly slots: Array<Set<TickFn>>;
  private readonly slotMs: number;
  private next = 0;
  private startedAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private added = 0;
  /** Bot ticks skipped because the process was a whole period late. */
  skippedTicks = 0;

  /**
   * @param periodMs time between two ticks of one bot, ms
   * @param slotCount phases per period
   */
  constructor(
    private readonly periodMs: number,
    slotCount = 10,
  ) {
    this.slots = Array.from({ length: slotCount }, () => new Set<TickFn>());
    this.slotMs = periodMs / slotCount;
  }

  /** Add a ticking function (round robin over the phases); returns its removal. */
  add(fn: TickFn): () => void {
    const slot = this.slots[this.added++ % this.slots.length]!;
    slot.add(fn);
    return () => slot.delete(fn);
  }

  start(): void {
    this.startedAtMs = performance.now();
    this.next = 0;
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const dueAt = this.startedAtMs + this.next * this.slotMs;
    this.timer = setTimeout(() => this.fire(), Math.max(0, dueAt - performance.now()));
  }

  private fire(): void {
    const now = performance.now();
    const behind = Math.floor((now - this.startedAtMs) / this.slotMs) - this.next;
    if (behind * this.slotMs >= this.periodMs) {
      // A whole period late: skip to now instead of bursting the backlog.
      for (let k = 0; k < behind; k++) this.skippedTicks += this.slots[(this.next + k) % this.slots.length]!.size;
      this.next += behind;
    }
    for (const fn of this.slots[this.next % this.slots.length]!) fn(now);
    this.next += 1;
    if (this.timer !== undefined) this.schedule();
  }
}
