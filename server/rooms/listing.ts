/**
 * What an arena room tells others about its match: the lobby listing's
 * metadata (browsers show the round and its time left; placement reads the
 * player seats), and each finished round, for the leaderboard.
 */
import type { Room } from '@colyseus/core';
import type { LeaderboardSaved } from '../../shared/leaderboard.ts';
import { ServerMessage, type ArenaMetadata, type RoundOverEvent } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import type { ArenaGame } from '../game/ArenaGame.ts';
import type { LeaderboardRecorder } from '../leaderboard/recorder.ts';
import { roundResult } from '../leaderboard/roundResult.ts';
import type { Logger } from '../logger.ts';
import type { ArenaSeats } from './arenaSeats.ts';

/** A room's match as its listing reads it. */
export interface ListedMatch {
  readonly state: ArenaState;
  /** Milliseconds until the current phase ends. */
  readonly phaseMsLeft: number;
  readonly maxPlayers: number;
  readonly spectators: number;
  readonly maxSpectators: number;
}

/** The listing's metadata for `match` at `nowMs` (ms since the epoch): round number, phase and when it ends, seats. */
export function arenaMetadata(match: ListedMatch, nowMs: number): ArenaMetadata {
  return {
    mapId: match.state.mapId,
    round: match.state.round.number,
    phase: match.state.round.phase,
    phaseEndsAtEpochMs: nowMs + match.phaseMsLeft,
    players: match.state.players.size,
    maxPlayers: match.maxPlayers,
    spectators: match.spectators,
    maxSpectators: match.maxSpectators,
  };
}

/** Update the listing of `room`, which plays `game` (a failure is logged; the next round or seat change updates it again). */
export function publishListing(room: Room, game: ArenaGame, seats: ArenaSeats, log: Logger): void {
  const match: ListedMatch = {
    state: game.state,
    phaseMsLeft: game.phaseMsLeft,
    maxPlayers: seats.maxPlayers,
    spectators: seats.spectators.count(),
    maxSpectators: seats.spectators.max,
  };
  void room
    .setMetadata(arenaMetadata(match, Date.now()))
    .catch((error: unknown) => log.warn('listing update failed', { error }));
}

/**
 * Hand the round's kills and win to the leaderboard: it only queues here
 * (this runs inside the fixed step); once the round is written, the clients
 * of `room` are told, so they can show the updated board.
 */
export function recordRound(
  room: Room,
  leaderboard: LeaderboardRecorder,
  game: ArenaGame,
  event: RoundOverEvent,
): void {
  const result = roundResult(game.matchId, event, (sid) => game.identityOf(sid), Date.now());
  void leaderboard.submit(result).then((saved) => {
    if (saved) room.broadcast(ServerMessage.LeaderboardSaved, { round: event.round } satisfies LeaderboardSaved);
  });
}
