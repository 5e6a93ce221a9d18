/**
 * The client-to-server input, one per fixed tick. Declared once with
 * @colyseus/schema so the room's `defineInput` and the client's `room.input()`
 * share the wire format, and delta-encoded so an unchanged tick costs ~1 byte.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { axis } from './sim.ts';

export const PlayerInput = schema(
  {
    /** -1 left, 0 still, 1 right. */
    moveX: t.int8(),
    /** -1 up, 0 still, 1 down. */
    moveY: t.int8(),
    /** Aim direction in radians, 0 = +x; 16-bit on the wire. */
    aimRad: t.angle(),
    /** Trigger held this tick. */
    fire: t.boolean(),
  },
  'PlayerInput',
);
export type PlayerInput = SchemaType<typeof PlayerInput>;

/** The plain shape of one input, for code that does not need the schema class. */
export interface InputFrame {
  moveX: number;
  moveY: number;
  aimRad: number;
  fire: boolean;
}

/**
 * Make any decoded input legal in place: axes become -1/0/1, a non-finite aim
 * becomes 0 and a non-boolean trigger becomes false. Never rejects: a bad
 * frame turns into a harmless one, so a hostile client cannot teleport anyone.
 *
 * @returns true when the input was legal already (no honest controller
 *   produces anything else, so the server counts a false as a strike)
 */
export function sanitizeInput(frame: InputFrame): boolean {
  const legal =
    (frame.moveX === -1 || frame.moveX === 0 || frame.moveX === 1) &&
    (frame.moveY === -1 || frame.moveY === 0 || frame.moveY === 1) &&
    Number.isFinite(frame.aimRad) &&
    typeof frame.fire === 'boolean';
  frame.moveX = axis(frame.moveX);
  frame.moveY = axis(frame.moveY);
  if (!Number.isFinite(frame.aimRad)) frame.aimRad = 0;
  if (typeof frame.fire !== 'boolean') frame.fire = false;
  return legal;
}

/**
 * The eight moves an input frame can express, as (moveX, moveY), by 45°
 * sector from +x, clockwise on screen (y grows downwards).
 */
export const COMPASS_MOVES: ReadonlyArray<readonly [-1 | 0 | 1, -1 | 0 | 1]> = [
  [1, 0],
  [1, 1],
  [0, 1],
  [-1, 1],
  [-1, 0],
  [-1, -1],
  [0, -1],
  [1, -1],
];
