/** The virtual sticks' math: dead zones, normalisation, the eight directions, aim angle and the fire threshold. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { touchControlsWanted } from '../../client/input/touchControls.ts';
import {
  AIM_DEAD_ZONE,
  FIRE_THRESHOLD,
  MOVE_DEAD_ZONE,
  moveAxes,
  readStick,
  STICK_RADIUS_PX,
  stickSide,
  touchCommand,
  type HeldStick,
} from '../../client/input/touchSticks.ts';
import { sanitizeInput } from '../../shared/input.ts';

const R = STICK_RADIUS_PX;
const ORIGIN = { x: 100, y: 300 };

/** A stick held `fraction` of the radius from its base in direction `angleRad` (screen: y down). */
function held(fraction: number, angleRad: number): HeldStick {
  return {
    origin: ORIGIN,
    at: { x: ORIGIN.x + Math.cos(angleRad) * fraction * R, y: ORIGIN.y + Math.sin(angleRad) * fraction * R },
  };
}

const deg = (d: number): number => (d * Math.PI) / 180;

describe('readStick', () => {
  it('normalises the deflection to 0–1 of the radius and clamps a finger past the rim', () => {
    assert.equal(readStick(held(0.5, 0)).magnitude, 0.5);
    const far = readStick({ origin: ORIGIN, at: { x: ORIGIN.x, y: ORIGIN.y - 5 * R } });
    assert.equal(far.magnitude, 1);
    // The knob stops at the rim, still pointing at the finger.
    assert.equal(far.knobX, 0);
    assert.equal(far.knobY, -R);
    assert.equal(far.angleRad, -Math.PI / 2);
  });

  it('reads a finger still on its base as no deflection, not as NaN', () => {
    assert.deepEqual(readStick({ origin: ORIGIN, at: ORIGIN }), { magnitude: 0, angleRad: 0, knobX: 0, knobY: 0 });
    assert.equal(readStick({ origin: ORIGIN, at: { x: Number.NaN, y: 0 } }).magnitude, 0);
  });

  it('measures the angle on screen: right is 0, down is +π/2', () => {
    assert.equal(readStick(held(1, 0)).angleRad, 0);
    assert.ok(Math.abs(readStick(held(1, deg(90))).angleRad - Math.PI / 2) < 1e-12);
    assert.ok(Math.abs(Math.abs(readStick(held(1, deg(180))).angleRad) - Math.PI) < 1e-12);
  });
});

describe('moveAxes', () => {
  it('stands still inside the dead zone, whatever the direction', () => {
    for (let a = 0; a < 360; a += 15) {
      assert.deepEqual(moveAxes(readStick(held(MOVE_DEAD_ZONE * 0.99, deg(a)))), { moveX: 0, moveY: 0 }, `${a}°`);
    }
  });

  it('gives the nearest of eight directions just past the dead zone and at full deflection', () => {
    const expected: Array<[number, number, number]> = [
      [0, 1, 0],
      [45, 1, 1],
      [90, 0, 1],
      [135, -1, 1],
      [180, -1, 0],
      [225, -1, -1],
      [270, 0, -1],
      [315, 1, -1],
      [-90, 0, -1],
    ];
    for (const [a, moveX, moveY] of expected) {
      for (const fraction of [MOVE_DEAD_ZONE + 0.01, 1]) {
        assert.deepEqual(moveAxes(readStick(held(fraction, deg(a)))), { moveX, moveY }, `${a}° at ${fraction}`);
      }
    }
  });

  it('splits the sectors at 22.5° from each axis', () => {
    assert.deepEqual(moveAxes(readStick(held(1, deg(22)))), { moveX: 1, moveY: 0 });
    assert.deepEqual(moveAxes(readStick(held(1, deg(23)))), { moveX: 1, moveY: 1 });
    assert.deepEqual(moveAxes(readStick(held(1, deg(-67)))), { moveX: 1, moveY: -1 });
    assert.deepEqual(moveAxes(readStick(held(1, deg(-68)))), { moveX: 0, moveY: -1 });
  });
});

describe('touchCommand', () => {
  it('gives a still, idle command when no stick is held', () => {
    assert.deepEqual(touchCommand(null, null), { moveX: 0, moveY: 0, aimRad: null, fire: false });
  });

  it('aims without firing between the aim dead zone and the fire threshold', () => {
    assert.ok(AIM_DEAD_ZONE < FIRE_THRESHOLD);
    assert.equal(touchCommand(null, held(AIM_DEAD_ZONE * 0.9, deg(30))).aimRad, null);
    const aiming = touchCommand(null, held((AIM_DEAD_ZONE + FIRE_THRESHOLD) / 2, deg(30)));
    assert.ok(aiming.aimRad !== null && Math.abs(aiming.aimRad - deg(30)) < 1e-9, `aim ${aiming.aimRad}`);
    assert.equal(aiming.fire, false);
  });

  it('holds the trigger from the fire threshold on, aiming where the stick points', () => {
    const firing = touchCommand(null, held(FIRE_THRESHOLD + 0.01, deg(-120)));
    assert.equal(firing.fire, true);
    assert.ok(firing.aimRad !== null && Math.abs(firing.aimRad - deg(-120)) < 1e-9);
    assert.equal(touchCommand(null, held(FIRE_THRESHOLD - 0.01, deg(-120))).fire, false);
  });

  it('moves and aims at once (two thumbs), the aim stick never moving the player', () => {
    const both = touchCommand(held(1, deg(180)), held(1, deg(90)));
    assert.equal(both.moveX, -1);
    assert.equal(both.moveY, 0);
    assert.equal(both.fire, true);
    assert.ok(both.aimRad !== null && Math.abs(both.aimRad - Math.PI / 2) < 1e-9);
    assert.deepEqual(
      { x: touchCommand(null, held(1, 0)).moveX, y: touchCommand(null, held(1, 0)).moveY },
      { x: 0, y: 0 },
    );
  });

  it('always yields a frame the server accepts as legal', () => {
    for (let a = -180; a <= 180; a += 7) {
      for (const fraction of [0, 0.3, 0.6, 1, 3]) {
        const cmd = touchCommand(held(fraction, deg(a)), held(fraction, deg(-a)));
        const frame = { moveX: cmd.moveX, moveY: cmd.moveY, aimRad: cmd.aimRad ?? 0, fire: cmd.fire };
        assert.equal(sanitizeInput(frame), true, `${a}° at ${fraction}: ${JSON.stringify(cmd)}`);
      }
    }
  });
});

describe('stickSide and touchControlsWanted', () => {
  it('gives the left half of the screen to the move stick and the right half to the aim stick', () => {
    assert.equal(stickSide(10, 390), 'move');
    assert.equal(stickSide(194, 390), 'move');
    assert.equal(stickSide(195, 390), 'aim');
    assert.equal(stickSide(800, 844), 'aim');
  });

  it('shows touch controls for a coarse pointer unless the URL says otherwise', () => {
    assert.equal(touchControlsWanted('', true), true);
    assert.equal(touchControlsWanted('', false), false);
    assert.equal(touchControlsWanted('?touch=1', false), true);
    assert.equal(touchControlsWanted('?touch=0', true), false);
    assert.equal(touchControlsWanted('?touch=yes', false), false);
  });
});
