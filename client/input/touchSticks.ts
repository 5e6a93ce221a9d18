/**
 * The virtual sticks' math, as pure functions: where a finger is relative to
 * where it landed becomes the same command the keyboard and mouse produce
 * (axes of -1, 0 or 1, an aim angle, a trigger), so prediction and the server
 * see input frames of exactly the shape `shared/input.ts` declares. All
 * distances are CSS pixels; angles are radians with 0 = +x and y pointing
 * down, as on screen and in the world (the camera never rotates).
 */
import { COMPASS_MOVES } from '../../shared/input.ts';

/** How far a knob travels from its base, CSS px: past this a stick reads full deflection. */
export const STICK_RADIUS_PX = 56;
/** Move stick deflection (fraction of the radius) below which the player stands still: a resting thumb wobbles. */
export const MOVE_DEAD_ZONE = 0.25;
/** Aim stick deflection below which the aim keeps its last direction: a thumb just landing has no direction yet. */
export const AIM_DEAD_ZONE = 0.2;
/** Aim stick deflection from which the trigger is held; between the two the player aims without firing. */
export const FIRE_THRESHOLD = 0.55;

/** A point on the page, CSS px. */
export interface TouchPoint {
  readonly x: number;
  readonly y: number;
}

/** One held stick: where the finger landed (the base) and where it is now. */
export interface HeldStick {
  readonly origin: TouchPoint;
  readonly at: TouchPoint;
}

/** A stick's deflection. */
export interface StickReading {
  /** Distance from the base as a fraction of the radius, 0–1 (clamped). */
  magnitude: number;
  /** Direction from the base to the finger, radians; 0 when the finger is on the base. */
  angleRad: number;
  /** Knob offset from the base for drawing, CSS px, at most `radiusPx` long. */
  knobX: number;
  knobY: number;
}

/** The command both sticks give for one input step; `aimRad` is null while the aim stick gives no direction. */
export interface TouchCommand {
  moveX: -1 | 0 | 1;
  moveY: -1 | 0 | 1;
  aimRad: number | null;
  fire: boolean;
}

/** Read a stick's deflection; a finger past the rim counts as full deflection in its direction. */
export function readStick(stick: HeldStick, radiusPx = STICK_RADIUS_PX): StickReading {
  const dx = stick.at.x - stick.origin.x;
  const dy = stick.at.y - stick.origin.y;
  const distance = Math.hypot(dx, dy);
  if (!Number.isFinite(distance) || distance === 0 || radiusPx <= 0) {
    return { magnitude: 0, angleRad: 0, knobX: 0, knobY: 0 };
  }
  const clamped = Math.min(distance, radiusPx);
  return {
    magnitude: clamped / radiusPx,
    angleRad: Math.atan2(dy, dx),
    knobX: (dx / distance) * clamped,
    knobY: (dy / distance) * clamped,
  };
}

/** The eight directions the input frame can express, indexed by 45° sector from +x, clockwise on screen. */
const OCTANTS = COMPASS_MOVES;

/**
 * Movement axes for a stick reading: still inside the dead zone, otherwise
 * the nearest of the eight directions (each owns a 45° sector centred on it),
 * because the input frame carries each axis as -1, 0 or 1 and the shared
 * movement rule gives diagonals the same speed as straight moves.
 */
export function moveAxes(reading: StickReading, deadZone = MOVE_DEAD_ZONE): { moveX: -1 | 0 | 1; moveY: -1 | 0 | 1 } {
  if (reading.magnitude <= deadZone) return { moveX: 0, moveY: 0 };
  const sector = (((Math.round(reading.angleRad / (Math.PI / 4)) % 8) + 8) % 8) as number;
  const [moveX, moveY] = OCTANTS[sector]!;
  return { moveX, moveY };
}

/**
 * The command the two sticks give: move from the left stick, aim and trigger
 * from the right one. The aim stick aims once past `AIM_DEAD_ZONE` and holds
 * the trigger once past `FIRE_THRESHOLD`; a stick not held gives nothing.
 */
export function touchCommand(move: HeldStick | null, aim: HeldStick | null, radiusPx = STICK_RADIUS_PX): TouchCommand {
  const axes = move ? moveAxes(readStick(move, radiusPx)) : { moveX: 0 as const, moveY: 0 as const };
  const aimReading = aim ? readStick(aim, radiusPx) : null;
  const aiming = aimReading !== null && aimReading.magnitude > AIM_DEAD_ZONE;
  return {
    ...axes,
    aimRad: aiming ? aimReading.angleRad : null,
    fire: aimReading !== null && aimReading.magnitude >= FIRE_THRESHOLD,
  };
}

/** Which stick a finger landing at `x` drives: the left half of the screen moves, the right half aims. */
export function stickSide(x: number, viewportWidth: number): 'move' | 'aim' {
  return x < viewportWidth / 2 ? 'move' : 'aim';
}
