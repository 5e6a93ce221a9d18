/**
 * The leaderboard store behind one small interface: Redis sorted sets in a
 * cluster (`redisBoard.ts`), a map in memory on a single instance without
 * Redis (`memoryBoard.ts`). Rooms never call a store directly: they hand a
 * round's results to the `LeaderboardRecorder`, which writes once per round,
 * off the tick, and retries.
 */
import type { BoardName, LeaderboardEntry } from '../../shared/leaderboard.ts';

/** Days a daily board is kept after its last write (today's and the two before it can still be read). */
export const DAILY_KEEP_DAYS = 3;
/** Entries one board keeps at most; past it the lowest-ranked go (bounds memory and Redis). */
export const MAX_BOARD_ENTRIES = 100_000;
/** How long a round's results are remembered as written, in seconds: a retry or a second writer of the same round adds nothing. */
export const ROUND_DEDUPE_TTL_S = 7 * 24 * 3600;

/** One player's part in a round. */
export interface PlayerResult {
  /** The browser identity (validated at join; see `shared/leaderboard.ts`). */
  identity: string;
  /** The name played under; the entry shows the latest. */
  name: string;
  kills: number;
  win: boolean;
}

/** Everything one round adds to the boards. */
export interface RoundResult {
  /**
   * Unique per round of a match, and the same on every instance the match
   * runs on (`<matchId>:<round>`; the match id survives hand-offs), so a round
   * is counted once however often it is written.
   */
  roundKey: string;
  /** UTC day the round ended (`YYYY-MM-DD`): its daily board. */
  day: string;
  /** Players with at least one kill or the win; others add nothing. */
  players: PlayerResult[];
}

/** A board read: the top entries and, when asked for an identity, that identity's entry. */
export interface BoardRead {
  entries: LeaderboardEntry[];
  you?: LeaderboardEntry | undefined;
}

/** Where boards live. */
export interface LeaderboardStore {
  /** Add a round's results to today's (its `day`'s) and the all-time board; a `roundKey` already written is ignored. Resolves true when this call added it. */
  record(result: RoundResult): Promise<boolean>;
  /** The best `limit` entries of `board` (`day` names the daily board), marking `identity`'s own. */
  read(board: BoardName, day: string, limit: number, identity?: string): Promise<BoardRead>;
  /** Let go of connections. */
  close(): Promise<void>;
}
