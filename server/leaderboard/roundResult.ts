/**
 * What one round adds to the boards, from the scoreboard every player saw at
 * its end: kills of each player still in the room then (one who left before
 * the end takes nothing along), and the win (see `roundWinner`). Players
 * without an identity (bots) and players who added nothing are left out.
 */
import { roundWinner, utcDay } from '../../shared/leaderboard.ts';
import type { RoundOverEvent } from '../../shared/messages.ts';
import type { PlayerResult, RoundResult } from './board.ts';

/**
 * @param matchId the match's id, kept through hand-offs (the room id where it began)
 * @param identityOf a player's identity by session id, when it gave one
 * @param endedAtMs wall-clock end of the round (ms since the epoch): picks the daily board
 */
export function roundResult(
  matchId: string,
  event: RoundOverEvent,
  identityOf: (sessionId: string) => string | undefined,
  endedAtMs: number,
): RoundResult {
  const winner = roundWinner(event.rows);
  const players: PlayerResult[] = [];
  for (const row of event.rows) {
    const identity = identityOf(row.sessionId);
    const win = row === winner;
    if (identity === undefined || (row.kills <= 0 && !win)) continue;
    players.push({ identity, name: row.name, kills: row.kills, win });
  }
  return { roundKey: `${matchId}:${event.round}`, day: utcDay(endedAtMs), players };
}
