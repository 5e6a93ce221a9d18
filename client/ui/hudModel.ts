/**
 * What the match screen shows, as a pure function of what the room and the
 * netcode know this frame: the HUD's values, and which overlay is up (the
 * scoreboard between rounds, the death card while we wait to respawn).
 * No DOM, no Phaser, so it is tested on its own.
 */
import { RoundPhase } from '../../shared/state.ts';
import type { HudModel } from './hud.ts';

/** Our own player as the HUD reads it. */
export interface OwnPlayer {
  name: string;
  hp: number;
  kills: number;
  deaths: number;
  score: number;
}

/** Everything the HUD is made from this frame. */
export interface MatchView {
  /** The name we joined with (shown until our player arrives in the state). */
  joinedAs: string;
  /** Watching without a player (until we step in). */
  spectating: boolean;
  /** Our player, once the server has sent it. */
  me: OwnPlayer | undefined;
  /** Whether our (predicted) player is alive. */
  localAlive: boolean;
  round: { number: number; phase: number; secondsLeft: number } | undefined;
  players: number;
  roomId: string;
  /** Last ping's round trip, in ms; null until one came back. */
  pingMs: number | null;
  /** The SDK's smoothed round trip, in ms (0 until measured). */
  rttMs: number;
}

/** The overlay over the match: the scoreboard, the death card, or neither. */
export type MatchOverlay = 'scoreboard' | 'death' | 'none';

/** The HUD's values for `view`. */
export function hudModel(view: MatchView): HudModel {
  const { me, round } = view;
  return {
    name: me?.name ?? (view.spectating ? 'Spectating' : view.joinedAs),
    hp: me?.hp ?? 0,
    alive: view.localAlive,
    kills: me?.kills ?? 0,
    deaths: me?.deaths ?? 0,
    score: me?.score ?? 0,
    round: round?.number ?? 1,
    phase: round?.phase ?? RoundPhase.Playing,
    secondsLeft: round?.secondsLeft ?? 0,
    // A ping answer is exact; until one comes back, the SDK's estimate is better than nothing.
    pingMs: view.pingMs ?? (view.rttMs > 0 ? view.rttMs : null),
    players: view.players,
    roomId: view.roomId,
  };
}

/** Which overlay `view` calls for: the scoreboard between rounds, else the death card while our player is dead. */
export function overlayFor(view: MatchView): MatchOverlay {
  if ((view.round?.phase ?? RoundPhase.Playing) === RoundPhase.Scoreboard) return 'scoreboard';
  return view.me && !view.localAlive ? 'death' : 'none';
}

/** The chat's first line in a match: where we are and as whom, or that a hand-off (`movedFrom`) brought the match here. */
export function welcomeLine(roomId: string, name: string, movedFrom: string | undefined, spectating: boolean): string {
  if (movedFrom) return `The match moved to another server (room ${roomId}); play on.`;
  return spectating ? `Watching room ${roomId}.` : `Joined room ${roomId} as ${name}.`;
}
