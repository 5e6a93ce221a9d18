/**
 * The replicated room state. Only changes travel (delta encoding), and every
 * field is sized for the wire: float32 positions (the simulation rounds to
 * float32, so nothing is lost), a 16-bit angle, small unsigned ints for counters.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';

export const Player = schema(
  {
    name: t.string(),
    x: t.float32(),
    y: t.float32(),
    aimRad: t.angle().default(0),
    hp: t.uint8(),
    alive: t.boolean(),
    // Counters start at 0: without a default they are undefined and `kills += 1` yields NaN.
    kills: t.uint16().default(0),
    deaths: t.uint16().default(0),
    score: t.int16().default(0),
  },
  'Player',
);
export type Player = SchemaType<typeof Player>;

/**
 * A projectile is sent once, as where and when it was fired; its path is a
 * straight line the client draws on its own, so flight costs no bandwidth.
 */
export const Projectile = schema(
  {
    ownerId: t.string(),
    x: t.float32(),
    y: t.float32(),
    aimRad: t.angle(),
    /** Server tick at which it left the muzzle. */
    firedTick: t.uint32(),
  },
  'Projectile',
);
export type Projectile = SchemaType<typeof Projectile>;

/** Round phases; numeric so the field is one byte. */
export const RoundPhase = { Playing: 0, Scoreboard: 1 } as const;
export type RoundPhase = (typeof RoundPhase)[keyof typeof RoundPhase];

export const Round = schema(
  {
    number: t.uint16(),
    phase: t.uint8(),
    /** Whole seconds left in the current phase; changes once a second. */
    secondsLeft: t.uint16(),
  },
  'Round',
);
export type Round = SchemaType<typeof Round>;

export const ArenaState = schema(
  {
    mapId: t.string(),
    /** Server tick counter, for clients that place projectiles in time. */
    tick: t.uint32().default(0),
    players: t.map(Player),
    projectiles: t.map(Projectile),
    round: Round,
    /** Seconds the room holds a dropped player's seat (the server's RECONNECT_GRACE_S), for the client to say. */
    reconnectGraceS: t.uint16().default(0),
  },
  'ArenaState',
);
export type ArenaState = SchemaType<typeof ArenaState>;
