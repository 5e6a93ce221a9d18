/**
 * The bots of one run (or one part of a sharded run): brings in as many as
 * the stages want at each moment and takes the newest away on a ramp-down.
 * Joins go through a small queue (at most {@link MAX_CONCURRENT_JOINS} in
 * flight), a failed join is retried, and a joined bot is ticked by the pacer.
 */
import { TICK_RATE_HZ } from '../shared/constants.ts';
import { seededRandom } from '../shared/random.ts';
import { Bot, type Behaviour } from './bot.ts';
import type { Collector } from './collector.ts';
import type { RunOptions } from './options.ts';
import type { Pacer } from './pacer.ts';
import type { Worlds } from './world.ts';

/** Joins in flight at once: enough to ramp fast, few enough not to look like a flood. */
const MAX_CONCURRENT_JOINS = 32;
/** A bot whose join fails tries again after this long, this many times in all. */
const JOIN_RETRY_DELAY_MS = 1000;
const JOIN_ATTEMPTS = 3;

/** Whether bot `i` plays: movers are spread evenly over join order, so every room gets its share. */
export function behaviourOf(i: number, moversShare: number): Behaviour {
  return Math.floor((i + 1) * moversShare) > Math.floor(i * moversShare) ? 'play' : 'idle';
}

export class BotFleet {
  /** Bots this part wants now, in join order; ramping down takes the newest away first. */
  private readonly bots: Bot[] = [];
  /** Bots taken away by a ramp-down (still counted in the report). */
  private readonly retired = new Set<Bot>();
  private readonly queue: Array<{ bot: Bot; attempt: number }> = [];
  private inFlight = 0;
  private spawned = 0;
  private running = true;

  constructor(
    private readonly options: RunOptions,
    private readonly collector: Collector,
    private readonly worlds: Worlds,
    private readonly pacer: Pacer,
    /** Draws each bot's own seed. */
    private readonly random: () => number,
  ) {}

  /** Every bot of the run so far, retired ones included. */
  get everyBot(): Bot[] {
    return [...this.bots, ...this.retired];
  }

  /** Bring the fleet to `want` bots: retire the newest, or queue new ones to join. */
  resize(want: number): void {
    while (this.bots.length > want) {
      const bot = this.bots.pop()!;
      const queued = this.queue.findIndex((job) => job.bot === bot);
      if (queued >= 0) this.queue.splice(queued, 1);
      this.retired.add(bot);
      void bot.leave();
    }
    while (this.bots.length < want) {
      const bot = this.newBot();
      this.bots.push(bot);
      this.queue.push({ bot, attempt: 1 });
    }
    this.collector.target = want;
    this.pump();
  }

  /** Stop joining; bots still joining leave as soon as they are in. */
  stop(): void {
    this.running = false;
  }

  /** Every bot leaves (retired ones too: one still leaving when the process ends would leave a seat held). */
  async leaveAll(): Promise<void> {
    await Promise.all(this.everyBot.map((b) => b.leave()));
  }

  private newBot(): Bot {
    const o = this.options;
    // Global index across every part of the run: names stay unique, checkers and movers spread evenly.
    const i = this.spawned * o.part.count + o.part.index;
    this.spawned += 1;
    return new Bot({
      url: o.url,
      name: `${o.namePrefix}${i}`.slice(0, 16),
      checker: i < o.checkers,
      behaviour: behaviourOf(i, o.movers),
      chatMeanIntervalS: o.chatIntervalS,
      pingEveryTicks: Math.max(1, Math.round(o.pingIntervalS * TICK_RATE_HZ)),
      probeEveryTicks: Math.round(o.probeIntervalS * TICK_RATE_HZ),
      collector: this.collector,
      worlds: this.worlds,
      random: seededRandom(Math.floor(this.random() * 2 ** 32)),
    });
  }

  private pump(): void {
    while (this.running && this.inFlight < MAX_CONCURRENT_JOINS && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.inFlight += 1;
      job.bot
        .join()
        .then(() => {
          if (!this.running || this.retired.has(job.bot)) return void job.bot.leave();
          const untick = this.pacer.add((now) => job.bot.tick(now));
          job.bot.room!.onLeave(untick);
        })
        .catch((error: unknown) => {
          this.collector.joinFailed(error instanceof Error ? error.message : String(error));
          if (job.attempt < JOIN_ATTEMPTS && !this.retired.has(job.bot))
            setTimeout(() => {
              this.queue.push({ bot: job.bot, attempt: job.attempt + 1 });
              this.pump();
            }, JOIN_RETRY_DELAY_MS).unref();
        })
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }
}
