/**
 * A running match as plain data: what a room hand-off stores in Redis so that
 * another instance can continue the match where this one stopped. Timers are
 * kept as ticks left (not absolute ticks or wall-clock times), so the copy is
 * valid whatever the other instance's clock says. Projectiles in flight are
 * not kept: a hand-off lasts a fraction of a second, and a shot that vanishes
 * is less surprising than one that hits after the victim moved on.
 */
import { PLAYER_MAX_HP } from '../../shared/constants.ts';
import { parseIdentity } from '../../shared/leaderboard.ts';
import type { Parsed } from '../../shared/messages.ts';
import { RoundPhase } from '../../shared/state.ts';

/** Bumped whenever the layout changes, so an old snapshot is refused instead of misread. */
export const SNAPSHOT_VERSION = 1;

/** Largest snapshot we accept, in bytes of JSON; 16 players take about 3 KiB. */
export const MAX_SNAPSHOT_BYTES = 64 * 1024;

export interface PlayerSnapshot {
  sessionId: string;
  /** Leaderboard identity, when the player gave one (optional: snapshots of older builds have none). */
  identity?: string;
  name: string;
  x: number;
  y: number;
  aimRad: number;
  hp: number;
  alive: boolean;
  kills: number;
  deaths: number;
  score: number;
  /** Ticks until a dead player respawns; -1 when no respawn is due. */
  respawnInTicks: number;
  /** Ticks until the player may fire again; 0 when ready. */
  fireReadyInTicks: number;
}

export interface GameSnapshot {
  version: typeof SNAPSHOT_VERSION;
  /** The match's leaderboard id (see `ArenaGame.matchId`); optional: snapshots of older builds have none. */
  matchId?: string;
  mapId: string;
  /** Tick rate the tick counts below were taken at, in Hz. */
  tickRateHz: number;
  tick: number;
  round: { number: number; phase: RoundPhase };
  /** Ticks left in the current round phase. */
  phaseTicksLeft: number;
  spawnSalt: number;
  players: PlayerSnapshot[];
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parsePlayer(raw: unknown, index: number): Parsed<PlayerSnapshot> {
  const bad = (field: string): Parsed<PlayerSnapshot> => ({
    ok: false,
    error: `players[${index}].${field} is invalid`,
  });
  if (!isRecord(raw)) return { ok: false, error: `players[${index}] is not an object` };
  if (typeof raw.sessionId !== 'string' || raw.sessionId.length === 0 || raw.sessionId.length > 64)
    return bad('sessionId');
  if (raw.identity !== undefined && !parseIdentity(raw.identity).ok) return bad('identity');
  if (typeof raw.name !== 'string' || raw.name.length > 64) return bad('name');
  for (const field of ['x', 'y', 'aimRad'] as const) if (!isNum(raw[field])) return bad(field);
  if (!isInt(raw.hp, 0, PLAYER_MAX_HP)) return bad('hp');
  if (typeof raw.alive !== 'boolean') return bad('alive');
  if (!isInt(raw.kills, 0, 65_535)) return bad('kills');
  if (!isInt(raw.deaths, 0, 65_535)) return bad('deaths');
  if (!isInt(raw.score, -32_768, 32_767)) return bad('score');
  if (!isInt(raw.respawnInTicks, -1, 1_000_000)) return bad('respawnInTicks');
  if (!isInt(raw.fireReadyInTicks, 0, 1_000_000)) return bad('fireReadyInTicks');
  return {
    ok: true,
    value: {
      sessionId: raw.sessionId,
      ...(raw.identity === undefined ? {} : { identity: raw.identity as string }),
      name: raw.name,
      x: raw.x as number,
      y: raw.y as number,
      aimRad: raw.aimRad as number,
      hp: raw.hp,
      alive: raw.alive,
      kills: raw.kills,
      deaths: raw.deaths,
      score: raw.score,
      respawnInTicks: raw.respawnInTicks,
      fireReadyInTicks: raw.fireReadyInTicks,
    },
  };
}

/**
 * Read a snapshot back from JSON text, checking every field: it crossed a
 * process boundary and may come from an older build.
 */
export function parseGameSnapshot(json: string): Parsed<GameSnapshot> {
  if (json.length > MAX_SNAPSHOT_BYTES)
    return { ok: false, error: `snapshot is ${json.length} bytes, over ${MAX_SNAPSHOT_BYTES}` };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, error: 'snapshot is not JSON' };
  }
  if (!isRecord(raw)) return { ok: false, error: 'snapshot is not an object' };
  if (raw.version !== SNAPSHOT_VERSION)
    return { ok: false, error: `snapshot version ${String(raw.version)} is not ${SNAPSHOT_VERSION}` };
  if (raw.matchId !== undefined && (typeof raw.matchId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/u.test(raw.matchId)))
    return { ok: false, error: 'matchId is invalid' };
  if (typeof raw.mapId !== 'string') return { ok: false, error: 'mapId is invalid' };
  if (!isInt(raw.tickRateHz, 1, 1000)) return { ok: false, error: 'tickRateHz is invalid' };
  if (!isInt(raw.tick, 0, 2 ** 32 - 1)) return { ok: false, error: 'tick is invalid' };
  const round = raw.round;
  if (
    !isRecord(round) ||
    !isInt(round.number, 1, 65_535) ||
    (round.phase !== RoundPhase.Playing && round.phase !== RoundPhase.Scoreboard)
  ) {
    return { ok: false, error: 'round is invalid' };
  }
  if (!isInt(raw.phaseTicksLeft, 0, 100_000_000)) return { ok: false, error: 'phaseTicksLeft is invalid' };
  if (!isInt(raw.spawnSalt, 0, Number.MAX_SAFE_INTEGER)) return { ok: false, error: 'spawnSalt is invalid' };
  if (!Array.isArray(raw.players) || raw.players.length > 256) return { ok: false, error: 'players is invalid' };
  const players: PlayerSnapshot[] = [];
  for (const [i, p] of raw.players.entries()) {
    const parsed = parsePlayer(p, i);
    if (!parsed.ok) return parsed;
    players.push(parsed.value);
  }
  return {
    ok: true,
    value: {
      version: SNAPSHOT_VERSION,
      ...(raw.matchId === undefined ? {} : { matchId: raw.matchId as string }),
      mapId: raw.mapId,
      tickRateHz: raw.tickRateHz,
      tick: raw.tick,
      round: { number: round.number, phase: round.phase },
      phaseTicksLeft: raw.phaseTicksLeft,
      spawnSalt: raw.spawnSalt,
      players,
    },
  };
}
