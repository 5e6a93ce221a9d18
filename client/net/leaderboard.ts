/**
 * The page's leaderboard identity and board reads. The identity is 16 random
 * bytes from `crypto.getRandomValues`, kept in local storage, so this browser
 * keeps its entry across visits and two players with the same name on two
 * browsers are two entries. It is sent when joining a room (the server
 * credits kills and wins to it) and in a header when reading a board (the
 * answer marks our own entry); never in a URL.
 */
import {
  IDENTITY_HEADER,
  LeaderboardRoute,
  makeIdentity,
  parseIdentity,
  parseLeaderboardPage,
  type BoardName,
  type LeaderboardPage,
} from '../../shared/leaderboard.ts';
import type { HttpError } from '../../shared/messages.ts';

/** Where the identity is kept between visits. */
export const IDENTITY_STORAGE_KEY = 'arena.identity';

let sessionIdentity: string | undefined;

/** This browser's identity: the stored one, or a new one (stored when storage works; otherwise kept for this page). */
export function playerIdentity(): string {
  if (sessionIdentity !== undefined) return sessionIdentity;
  let stored: string | null = null;
  try {
    stored = window.localStorage.getItem(IDENTITY_STORAGE_KEY);
  } catch {
    // Storage off (privacy mode): a fresh identity per page load.
  }
  const parsed = parseIdentity(stored);
  if (parsed.ok) {
    sessionIdentity = parsed.value;
    return parsed.value;
  }
  const fresh = makeIdentity((n) => crypto.getRandomValues(new Uint8Array(n)));
  try {
    window.localStorage.setItem(IDENTITY_STORAGE_KEY, fresh);
  } catch {
    // Not remembered: this page still plays under it.
  }
  sessionIdentity = fresh;
  return fresh;
}

/** Read `board`'s best `limit` entries with our own marked; throws an Error with a sentence a player can read. */
export async function fetchBoard(serverUrl: string, board: BoardName, limit: number): Promise<LeaderboardPage> {
  const res = await fetch(`${serverUrl}${LeaderboardRoute}?board=${board}&limit=${limit}`, {
    headers: { [IDENTITY_HEADER]: playerIdentity() },
  });
  const body: unknown = await res.json().catch(() => ({}));
  if (res.status !== 200) {
    const error = (body as Partial<HttpError>).error;
    throw new Error(
      res.status === 429 ? 'Leaderboard busy; try again shortly.' : `Leaderboard unavailable (${error ?? res.status}).`,
    );
  }
  const page = parseLeaderboardPage(body);
  if (!page.ok) throw new Error(`Leaderboard unreadable (${page.error}).`);
  return page.value;
}
