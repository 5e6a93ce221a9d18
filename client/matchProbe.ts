/**
 * The game scene's side of `window.__arena` (see `testHook.ts`): what the
 * match draws, read from its game objects, the camera and the netcode.
 */
import type Phaser from 'phaser';
import type { ArenaRoom } from './net/connection.ts';
import type { Netcode } from './net/prediction.ts';
import type { MatchRoster } from './render/matchRoster.ts';
import { worldToPage } from './render/pageMapping.ts';
import type { ProjectileLayer } from './render/projectiles.ts';
import type { GameProbe } from './testHook.ts';
import type { SpectatorMode } from './ui/spectatorMode.ts';

/** What the probe reads. */
export interface ProbedMatch {
  scene: Phaser.Scene;
  room: ArenaRoom;
  net: Netcode;
  roster: MatchRoster;
  projectiles: ProjectileLayer;
  /** Spectator mode, while we watch. */
  spectator(): SpectatorMode | null;
}

/** The probe of `match`, for `setGameProbe`. */
export function matchProbe(match: ProbedMatch): GameProbe {
  const { scene, room, net, roster, projectiles } = match;
  return {
    sessionId: () => room.sessionId,
    roomId: () => room.roomId,
    spectating: () => match.spectator() !== null,
    following: () => match.spectator()?.followingId ?? null,
    renderedPlayers: () => roster.rendered(),
    worldToPage: (x, y) =>
      worldToPage(
        scene.cameras.main,
        scene.game.canvas.getBoundingClientRect(),
        scene.scale.width,
        scene.scale.height,
        x,
        y,
      ),
    projectiles: () => projectiles.visibleCount + net.shots.flying().length,
    netStats: () => ({
      sent: net.input.sentCount,
      acked: net.input.lastProcessed,
      rttMs: net.rttMs,
      interpDelayMs: net.interpDelayMs,
      jitterMs: net.delay.jitterMs,
      inputRateScale: net.inputClock.rateScale,
      corrections: net.corrections,
      shots: net.shots.summary(),
    }),
  };
}
