/** The scoreboard's order, one rule for the server's round result and the client's live scores. */
import type { ScoreRow } from './messages.ts';

/** A player as the scoreboard reads it. */
export interface ScoredPlayer {
  name: string;
  kills: number;
  deaths: number;
  score: number;
}

/** Rows for `players` (session id → player), best first: score, then fewer deaths, then name. */
export function scoreboardRows(players: Iterable<[string, ScoredPlayer]>): ScoreRow[] {
  const rows: ScoreRow[] = [];
  for (const [sessionId, p] of players) {
    rows.push({ sessionId, name: p.name, kills: p.kills, deaths: p.deaths, score: p.score });
  }
  return rows.sort((a, b) => b.score - a.score || a.deaths - b.deaths || a.name.localeCompare(b.name));
}
