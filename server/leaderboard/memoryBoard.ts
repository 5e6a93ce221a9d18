/**
 * Boards in process memory, for a single instance without Redis (and for
 * tests): same order, same caps, same once-per-round rule as the Redis store,
 * gone when the process ends.
 */
import { boardScore, fromBoardScore, type BoardName, type LeaderboardEntry } from '../../shared/leaderboard.ts';
import {
  DAILY_KEEP_DAYS,
  MAX_BOARD_ENTRIES,
  ROUND_DEDUPE_TTL_S,
  type BoardRead,
  type LeaderboardStore,
  type RoundResult,
} from './board.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Round keys remembered at most (the oldest go first). */
const MAX_REMEMBERED_ROUNDS = 100_000;

class Board {
  readonly scores = new Map<string, number>();
  readonly names = new Map<string, string>();
  private sorted: string[] | undefined;

  add(identity: string, name: string, score: number): void {
    this.scores.set(identity, (this.scores.get(identity) ?? 0) + score);
    this.names.set(identity, name);
    this.sorted = undefined;
  }

  /** Identities best first: score down, then identity down (Redis's ZREVRANGE order for equal scores). */
  ranking(): string[] {
    this.sorted ??= [...this.scores.keys()].sort(
      (a, b) => this.scores.get(b)! - this.scores.get(a)! || (a < b ? 1 : a > b ? -1 : 0),
    );
    return this.sorted;
  }

  trim(max: number): void {
    if (this.scores.size <= max) return;
    for (const identity of this.ranking().slice(max)) {
      this.scores.delete(identity);
      this.names.delete(identity);
    }
    this.sorted = undefined;
  }

  entry(identity: string, rank: number): LeaderboardEntry {
    const { wins, kills } = fromBoardScore(this.scores.get(identity)!);
    return { rank, name: this.names.get(identity) ?? '?', wins, kills };
  }
}

export class MemoryLeaderboard implements LeaderboardStore {
  private readonly daily = new Map<string, { board: Board; lastWriteMs: number }>();
  private readonly alltime = new Board();
  /** Round keys written, with when (ms). */
  private readonly rounds = new Map<string, number>();

  /** @param now clock in ms (tests move it) */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries: number = MAX_BOARD_ENTRIES,
  ) {}

  async record(result: RoundResult): Promise<boolean> {
    const now = this.now();
    this.forgetOld(now);
    if (this.rounds.has(result.roundKey)) return false;
    this.rounds.set(result.roundKey, now);
    let day = this.daily.get(result.day);
    if (!day) {
      day = { board: new Board(), lastWriteMs: now };
      this.daily.set(result.day, day);
    }
    day.lastWriteMs = now;
    for (const p of result.players) {
      const score = boardScore(p.win ? 1 : 0, p.kills);
      day.board.add(p.identity, p.name, score);
      this.alltime.add(p.identity, p.name, score);
    }
    day.board.trim(this.maxEntries);
    this.alltime.trim(this.maxEntries);
    return true;
  }

  async read(board: BoardName, day: string, limit: number, identity?: string): Promise<BoardRead> {
    this.forgetOld(this.now());
    const b = board === 'alltime' ? this.alltime : this.daily.get(day)?.board;
    if (!b) return { entries: [] };
    const ranking = b.ranking();
    const entries = ranking.slice(0, limit).map((id, i) => {
      const entry = b.entry(id, i + 1);
      return id === identity ? { ...entry, own: true as const } : entry;
    });
    if (identity === undefined || !b.scores.has(identity)) return { entries };
    return { entries, you: { ...b.entry(identity, ranking.indexOf(identity) + 1), own: true } };
  }

  async close(): Promise<void> {}

  /** Daily boards not written for DAILY_KEEP_DAYS, and round keys past their TTL, expire as Redis keys would. */
  private forgetOld(now: number): void {
    for (const [day, { lastWriteMs }] of this.daily)
      if (now - lastWriteMs > DAILY_KEEP_DAYS * DAY_MS) this.daily.delete(day);
    for (const [key, at] of this.rounds) {
      if (now - at <= ROUND_DEDUPE_TTL_S * 1000 && this.rounds.size <= MAX_REMEMBERED_ROUNDS) break;
      this.rounds.delete(key);
    }
  }
}
