/**
 * Input pacing rules: the rate the server asks for from a measured queue
 * depth, and the client's input clock that obeys it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  INPUT_DEPTH_DEADBAND,
  INPUT_RATE_SCALE_MAX,
  INPUT_RATE_SCALE_MIN,
  InputClock,
  rateScaleFor,
  TARGET_INPUT_DEPTH,
} from '../../shared/inputPace.ts';

describe('rateScaleFor', () => {
  it('leaves a client alone while its queue is near one step', () => {
    for (const depth of [
      TARGET_INPUT_DEPTH,
      TARGET_INPUT_DEPTH - INPUT_DEPTH_DEADBAND,
      TARGET_INPUT_DEPTH + INPUT_DEPTH_DEADBAND,
      0.8,
      1.2,
    ]) {
      assert.equal(rateScaleFor(depth), 1, `depth ${depth}`);
    }
  });

  it('slows a client with a standing queue and speeds up one that leaves steps empty', () => {
    assert.ok(rateScaleFor(2) < 1);
    assert.ok(rateScaleFor(3) < rateScaleFor(2), 'a deeper queue is slowed more');
    assert.ok(rateScaleFor(0.5) > 1);
    assert.ok(rateScaleFor(0) >= rateScaleFor(0.5));
  });

  it('stays within the legal range, in hundredths, whatever the depth', () => {
    for (const depth of [-5, 0, 0.1, 1.4, 1.6, 2.5, 4, 32, 1e9]) {
      const scale = rateScaleFor(depth);
      assert.ok(scale >= INPUT_RATE_SCALE_MIN && scale <= INPUT_RATE_SCALE_MAX, `depth ${depth} → ${scale}`);
      assert.equal(Math.round(scale * 100) / 100, scale);
    }
    assert.equal(rateScaleFor(32), INPUT_RATE_SCALE_MIN);
    assert.equal(rateScaleFor(Number.NaN), 1);
  });
});

describe('InputClock', () => {
  const sent = (clock: InputClock, steps: number): number => {
    let n = 0;
    for (let i = 0; i < steps; i++) n += clock.pace(1);
    return n;
  };

  it('sends exactly one input per step at the nominal rate, and nothing when no step is due', () => {
    const clock = new InputClock();
    assert.equal(sent(clock, 1000), 1000);
    assert.equal(clock.pace(0), 0);
    assert.equal(clock.pace(3), 3, 'several steps due in one frame');
  });

  it('sends a few more or fewer inputs at the rate it was asked for', () => {
    const fast = new InputClock();
    fast.setRateScale(1.03);
    assert.ok(Math.abs(sent(fast, 1000) - 1030) <= 1);
    const slow = new InputClock();
    slow.setRateScale(0.97);
    assert.ok(Math.abs(sent(slow, 1000) - 970) <= 1);
  });

  it('clamps an out-of-range rate and ignores a non-finite one', () => {
    const clock = new InputClock();
    clock.setRateScale(2);
    assert.equal(clock.rateScale, INPUT_RATE_SCALE_MAX);
    clock.setRateScale(0);
    assert.equal(clock.rateScale, INPUT_RATE_SCALE_MIN);
    clock.setRateScale(Number.NaN);
    assert.equal(clock.rateScale, INPUT_RATE_SCALE_MIN);
  });
});
