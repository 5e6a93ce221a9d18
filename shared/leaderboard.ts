/**
 * The leaderboard's shared vocabulary: the per-browser player identity, who
 * wins a round, the `GET /leaderboard` query and answer, and the rank order.
 * Pure functions only; the server stores boards (`server/leaderboard/`), the
 * page shows them (`client/ui/leaderboardPanel.ts`).
 *
 * A player's entry is keyed by its identity, not its name: two "Alex" on two
 * browsers are two entries, and the entry shows the name last played under.
 */
import type { Parsed, ScoreRow } from './messages.ts';

/** Hex digits in an identity: 16 random bytes (128 bits), so one cannot be guessed. */
export const IDENTITY_LENGTH = 32;
const IDENTITY_PATTERN = /^[0-9a-f]{32}$/u;

/** Header a page sends its identity in, so the answer can mark its own entry (kept out of URLs and logs). */
export const IDENTITY_HEADER = 'x-arena-identity';

/** The two boards: `daily` (the current UTC day) and `alltime`. */
export type BoardName = 'daily' | 'alltime';
export const BOARD_NAMES: readonly BoardName[] = ['daily', 'alltime'];

/** Entries `GET /leaderboard` answers by default and at most. */
export const DEFAULT_BOARD_LIMIT = 10;
export const MAX_BOARD_LIMIT = 50;

/** HTTP endpoint: `GET /leaderboard?board=daily|alltime&limit=N`. */
export const LeaderboardRoute = '/leaderboard';

/** Server → room clients `leaderboardSaved`: this round's results are on the boards now (fetch them). */
export interface LeaderboardSaved {
  round: number;
}

/** One row of a board. */
export interface LeaderboardEntry {
  /** 1-based place on the board. */
  rank: number;
  name: string;
  wins: number;
  kills: number;
  /** Present (true) on the entry of the identity the request carried. */
  own?: true;
}

/** `GET /leaderboard` → 200. */
export interface LeaderboardPage {
  board: BoardName;
  /** The daily board's UTC day, `YYYY-MM-DD`. */
  day?: string;
  entries: LeaderboardEntry[];
  /** The requester's own entry, also when it is below `limit` (absent when it has none). */
  you?: LeaderboardEntry;
}

/** A leaderboard query, validated. */
export interface BoardQuery {
  board: BoardName;
  limit: number;
}

/** A new identity from `randomBytes(16)` (the caller passes its CSPRNG: `crypto.getRandomValues` in the page). */
export function makeIdentity(randomBytes: (count: number) => Uint8Array): string {
  const bytes = randomBytes(IDENTITY_LENGTH / 2);
  if (bytes.length < IDENTITY_LENGTH / 2) throw new Error(`makeIdentity needs ${IDENTITY_LENGTH / 2} random bytes`);
  let out = '';
  for (let i = 0; i < IDENTITY_LENGTH / 2; i += 1) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

/** Validate an identity: exactly 32 lowercase hex digits. */
export function parseIdentity(raw: unknown): Parsed<string> {
  if (typeof raw !== 'string') return { ok: false, error: 'identity must be a string' };
  if (raw.length !== IDENTITY_LENGTH || !IDENTITY_PATTERN.test(raw))
    return { ok: false, error: `identity must be ${IDENTITY_LENGTH} lowercase hex digits` };
  return { ok: true, value: raw };
}

/** Validate `GET /leaderboard`'s query: `board` is `daily` (default) or `alltime`, `limit` 1–50 (default 10). */
export function parseBoardQuery(query: Record<string, unknown>): Parsed<BoardQuery> {
  const board = query.board ?? 'daily';
  if (typeof board !== 'string' || !BOARD_NAMES.includes(board as BoardName))
    return { ok: false, error: `board must be one of ${BOARD_NAMES.join(', ')}` };
  const rawLimit = query.limit ?? String(DEFAULT_BOARD_LIMIT);
  if (typeof rawLimit !== 'string' || !/^\d{1,3}$/u.test(rawLimit))
    return { ok: false, error: `limit must be a whole number from 1 to ${MAX_BOARD_LIMIT}` };
  const limit = Number(rawLimit);
  if (limit < 1 || limit > MAX_BOARD_LIMIT)
    return { ok: false, error: `limit must be a whole number from 1 to ${MAX_BOARD_LIMIT}` };
  return { ok: true, value: { board: board as BoardName, limit } };
}

/** The UTC day of `epochMs` as `YYYY-MM-DD`: the daily board's key. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/**
 * The round's winner: the scoreboard's first row (best score, then fewer
 * deaths, then name; as every player saw it), when at least two players were
 * in the round and it scored. A round played alone or without a kill has none,
 * so wins cannot be farmed by idling in an empty room.
 */
export function roundWinner(rows: readonly ScoreRow[]): ScoreRow | undefined {
  const first = rows[0];
  return rows.length >= 2 && first !== undefined && first.score > 0 ? first : undefined;
}

/**
 * A board's sort key: wins first, then kills. Both fit one sorted-set score
 * exactly (a double holds integers to 2^53): wins × 2^32 + kills.
 */
export const WIN_WEIGHT = 2 ** 32;

/** Sort key of `wins` and `kills` (see {@link WIN_WEIGHT}). */
export function boardScore(wins: number, kills: number): number {
  return wins * WIN_WEIGHT + kills;
}

/** Wins and kills back from a sort key. */
export function fromBoardScore(score: number): { wins: number; kills: number } {
  const wins = Math.floor(score / WIN_WEIGHT);
  return { wins, kills: score - wins * WIN_WEIGHT };
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function parseEntry(raw: unknown): LeaderboardEntry | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { rank, name, wins, kills, own } = raw as Record<string, unknown>;
  if (!isCount(rank) || rank < 1 || typeof name !== 'string' || name.length > 64) return undefined;
  if (!isCount(wins) || !isCount(kills)) return undefined;
  return { rank, name, wins, kills, ...(own === true ? { own: true as const } : {}) };
}

/** Validate a `GET /leaderboard` answer (the page checks what the server sends). */
export function parseLeaderboardPage(raw: unknown): Parsed<LeaderboardPage> {
  if (typeof raw !== 'object' || raw === null) return { ok: false, error: 'leaderboard answer is not an object' };
  const { board, day, entries, you } = raw as Record<string, unknown>;
  if (typeof board !== 'string' || !BOARD_NAMES.includes(board as BoardName))
    return { ok: false, error: 'leaderboard answer has no valid board' };
  if (!Array.isArray(entries) || entries.length > MAX_BOARD_LIMIT)
    return { ok: false, error: 'leaderboard answer has no valid entries' };
  const parsed: LeaderboardEntry[] = [];
  for (const e of entries) {
    const entry = parseEntry(e);
    if (!entry) return { ok: false, error: 'leaderboard answer has an invalid entry' };
    parsed.push(entry);
  }
  const page: LeaderboardPage = { board: board as BoardName, entries: parsed };
  if (typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/u.test(day)) page.day = day;
  if (you !== undefined) {
    const own = parseEntry(you);
    if (!own) return { ok: false, error: 'leaderboard answer has an invalid own entry' };
    page.you = own;
  }
  return { ok: true, value: page };
}
