/**
 * The sending side of the edge channel: one {@link Outbox} per peer, and when
 * what waits in it leaves. Everything queued in an event-loop turn leaves at
 * its end (`setImmediate`, after every timer and socket read of the turn) as
 * one channel message per peer. With a least gap between messages to a peer,
 * dense traffic (players' inputs, patches of rooms whose timers fire at
 * different moments) shares messages; a new connection or a close is never
 * held back.
 */
import type { Carrier } from './carrier.ts';
import { Outbox } from './outbox.ts';

/** The counters a sender keeps (a part of the edge's stats). */
export interface SenderStats {
  readonly sent: Map<string, { messages: number; bytes: number }>;
  fanoutFrames: number;
  fanoutOps: number;
}

export class ChannelSender {
  private readonly outboxes = new Map<string, Outbox>();
  private flushScheduled = false;
  /** When the last channel message to each peer left (performance.now(), ms). */
  private readonly lastSentAt = new Map<string, number>();
  private gapTimer: NodeJS.Timeout | undefined;
  private gapTimerAt = Number.POSITIVE_INFINITY;

  /**
   * @param minGapMs least time between two messages to one peer, in ms; 0: every turn's operations leave at its end
   */
  constructor(
    private readonly carrier: Carrier,
    private readonly stats: SenderStats,
    private readonly minGapMs: number,
  ) {}

  /** The operations waiting for `peer`; call {@link schedule} after queuing. */
  outbox(peer: string): Outbox {
    let box = this.outboxes.get(peer);
    if (!box) {
      box = new Outbox();
      this.outboxes.set(peer, box);
    }
    return box;
  }

  /** Send what waits at the end of this turn (or when its peer's gap is over). */
  schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** A lost peer: what waits for it is dropped. */
  forget(peer: string): void {
    this.outboxes.delete(peer);
    this.lastSentAt.delete(peer);
  }

  /**
   * Send what waits: one channel message per peer, unless the last one to
   * that peer left less than the gap ago and nothing urgent waits; then it
   * leaves at the end of the first turn after the gap. Runs from
   * `setImmediate` only (after every timer of the turn), so a turn sends at
   * most one message per peer, as with no gap. `all`: send everything now
   * (stopping).
   */
  flush(all = false): void {
    this.flushScheduled = false;
    if (all) this.clearGapTimer();
    const now = performance.now();
    let dueAt = Number.POSITIVE_INFINITY;
    for (const [peer, box] of this.outboxes) {
      if (box.empty) continue;
      if (!all && this.minGapMs > 0 && !box.urgent) {
        const due = (this.lastSentAt.get(peer) ?? Number.NEGATIVE_INFINITY) + this.minGapMs;
        if (due > now) {
          dueAt = Math.min(dueAt, due);
          continue;
        }
      }
      this.lastSentAt.set(peer, now);
      const grouped = box.groupStats();
      this.stats.fanoutFrames += grouped.frames;
      this.stats.fanoutOps += grouped.groups;
      const message = box.take();
      const counted = this.stats.sent.get(peer) ?? { messages: 0, bytes: 0 };
      counted.messages += 1;
      counted.bytes += message.length;
      this.stats.sent.set(peer, counted);
      this.carrier.send(peer, message);
    }
    if (dueAt === Number.POSITIVE_INFINITY) this.clearGapTimer();
    else if (this.gapTimer === undefined || this.gapTimerAt > dueAt) {
      this.clearGapTimer();
      this.gapTimerAt = dueAt;
      // The timer only schedules: flushing from the timers phase would send part of what the
      // rooms' own timers queue later in the same phase, and a second message in the same turn.
      this.gapTimer = setTimeout(
        () => {
          this.gapTimer = undefined;
          this.gapTimerAt = Number.POSITIVE_INFINITY;
          this.schedule();
        },
        Math.max(1, Math.ceil(dueAt - now)),
      );
    }
  }

  private clearGapTimer(): void {
    if (this.gapTimer === undefined) return;
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.gapTimerAt = Number.POSITIVE_INFINITY;
  }
}
