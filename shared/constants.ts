/**
 * Game tuning shared by the server simulation and the client's prediction.
 * Every name carries its unit so a reader never has to guess.
 */

/** Authoritative simulation rate. One client input drives exactly one step. */
export const TICK_RATE_HZ = 30;
/** Room state patch interval; equal to one tick so every step reaches clients. */
export const PATCH_INTERVAL_MS = 1000 / TICK_RATE_HZ;

/** Player collision half-extent (players collide as axis-aligned squares). */
export const PLAYER_RADIUS_PX = 14;
export const PLAYER_SPEED_PX_PER_S = 220;
export const PLAYER_MAX_HP = 100;
export const RESPAWN_DELAY_MS = 2000;

export const PROJECTILE_SPEED_PX_PER_S = 720;
export const PROJECTILE_LIFETIME_MS = 1100;
export const PROJECTILE_RADIUS_PX = 4;
export const PROJECTILE_DAMAGE_HP = 25;
export const FIRE_COOLDOWN_MS = 300;
/** A projectile spawns this far in front of its shooter's centre. */
export const MUZZLE_OFFSET_PX = PLAYER_RADIUS_PX + 4;

/** Round length and the scoreboard pause after it. */
export const ROUND_DURATION_MS = 3 * 60 * 1000;
export const SCOREBOARD_DURATION_MS = 8000;

export const SCORE_PER_KILL = 1;

/** Players per arena room unless `MAX_PLAYERS` says otherwise. */
export const DEFAULT_MAX_PLAYERS = 16;
/** Spectators one room takes besides its players (`MAX_SPECTATORS` default). */
export const DEFAULT_MAX_SPECTATORS = 16;

export const NAME_MIN_LENGTH = 1;
export const NAME_MAX_LENGTH = 16;
/** Letters and digits of any script, space, and `_ - .`; no control or markup characters. */
export const NAME_PATTERN = /^[\p{L}\p{N} _.-]+$/u;

export const CHAT_MAX_LENGTH = 140;
/** Token bucket for chat: a burst of this many messages… */
export const CHAT_BURST = 4;
/** …refilled at one message per this many milliseconds. */
export const CHAT_REFILL_MS = 2000;

/** Lag compensation never rewinds further than this (anti-spoof bound). */
export const MAX_REWIND_MS = 400;
