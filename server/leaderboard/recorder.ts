/**
 * Writes rounds to the leaderboard store off the tick: a room hands over a
 * round's results as it ends ({@link LeaderboardRecorder.submit} only queues),
 * and the write runs on a later turn of the event loop, one store call per
 * round. A failed write (Redis away) is kept and retried after 1 s, 5 s and
 * 30 s, then dropped with a warning naming the round; the store counts a
 * round once however often it is retried. Results live in the process, not
 * the room: a room that closes (or hands off) does not lose its last round.
 */
import type { Logger } from '../logger.ts';
import type { LeaderboardStore, RoundResult } from './board.ts';

/** Waits between attempts of one round's write, in milliseconds; after the last failure the round is dropped. */
export const RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30_000];
/** Rounds waiting to be written at most; past it the oldest is dropped (a long outage must not grow memory). */
export const MAX_PENDING_ROUNDS = 500;

interface Pending {
  result: RoundResult;
  attempt: number;
  settle(written: boolean): void;
  timer?: NodeJS.Timeout | undefined;
}

export class LeaderboardRecorder {
  private readonly pending = new Set<Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    readonly store: LeaderboardStore,
    private readonly log: Logger,
    private readonly retryDelaysMs: readonly number[] = RETRY_DELAYS_MS,
    private readonly maxPending: number = MAX_PENDING_ROUNDS,
  ) {}

  /** Rounds queued or being retried. */
  get pendingRounds(): number {
    return this.pending.size;
  }

  /**
   * Queue a round's results; resolves true once they are on the boards, false
   * when they were dropped (or had nothing to add). Never rejects, never blocks.
   */
  submit(result: RoundResult): Promise<boolean> {
    if (result.players.length === 0 || this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const entry: Pending = { result, attempt: 0, settle: resolve };
      if (this.pending.size >= this.maxPending) {
        const oldest = this.pending.values().next().value!;
        this.drop(oldest, `more than ${this.maxPending} rounds waiting`);
      }
      this.pending.add(entry);
      // Never on the caller's turn: the round ends inside the room's fixed step.
      entry.timer = setTimeout(() => this.attempt(entry), 0);
    });
  }

  /** Stop: wait up to `waitMs` for writes under way, then drop what is still queued (logged). */
  async close(waitMs = 1000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.inFlight),
      new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
    for (const entry of [...this.pending]) this.drop(entry, 'the server is stopping');
    await this.store.close();
  }

  private attempt(entry: Pending): void {
    entry.timer = undefined;
    if (!this.pending.has(entry)) return;
    const write = this.store
      .record(entry.result)
      .then(
        (added) => {
          this.pending.delete(entry);
          if (entry.attempt > 0)
            this.log.info('leaderboard round written on retry', {
              roundKey: entry.result.roundKey,
              attempt: entry.attempt,
            });
          if (!added) this.log.debug('leaderboard round was written already', { roundKey: entry.result.roundKey });
          entry.settle(true);
        },
        (error: unknown) => {
          if (!this.pending.has(entry)) return;
          const delay = this.retryDelaysMs[entry.attempt];
          entry.attempt += 1;
          if (delay === undefined || this.closed) {
            this.drop(entry, `write failed ${entry.attempt} times`, error);
            return;
          }
          this.log.warn('leaderboard write failed; will retry', {
            roundKey: entry.result.roundKey,
            retryInMs: delay,
            error,
          });
          entry.timer = setTimeout(() => this.attempt(entry), delay);
        },
      )
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  private drop(entry: Pending, why: string, error?: unknown): void {
    clearTimeout(entry.timer);
    this.pending.delete(entry);
    this.log.warn('leaderboard round dropped', {
      roundKey: entry.result.roundKey,
      day: entry.result.day,
      players: entry.result.players.length,
      why,
      ...(error === undefined ? {} : { error }),
    });
    entry.settle(false);
  }
}
