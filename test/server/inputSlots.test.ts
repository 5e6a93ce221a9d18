/**
 * Inputs buffered in reused slots (server/game/inputSlots.ts): under any mix
 * of bursts and consumption, with the buffer's bound and overflow drop as
 * Colyseus applies them, every queued input keeps the values it arrived with,
 * and the ring stays as small as the deepest queue plus one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../shared/random.ts';
import type { InputFrame } from '../../shared/input.ts';
import { copyInputsIntoSlots } from '../../server/game/inputSlots.ts';

const BUFFER_MAX = 32;

describe('copyInputsIntoSlots', () => {
  it('never overwrites a queued input, through bursts, overflow and consumption', () => {
    const random = seededRandom(5);
    const latest: InputFrame & { clone?: () => InputFrame } = { moveX: 0, moveY: 0, aimRad: 0, fire: false };
    const queue: { frame: InputFrame; aimRad: number; moveX: number }[] = [];
    copyInputsIntoSlots(latest, () => queue.length);
    const distinct = new Set<InputFrame>();
    let deepest = 0;
    let sent = 0;
    for (let tick = 0; tick < 20_000; tick++) {
      // Mostly one input a tick, now and then a burst past the bound (a stall released).
      const arrivals = random() < 0.02 ? Math.floor(random() * 50) : random() < 0.9 ? 1 : 0;
      for (let i = 0; i < arrivals; i++) {
        latest.aimRad = sent;
        latest.moveX = sent % 3;
        sent++;
        const frame = latest.clone!();
        queue.push({ frame, aimRad: frame.aimRad, moveX: frame.moveX });
        distinct.add(frame);
        if (queue.length > BUFFER_MAX) queue.shift();
        deepest = Math.max(deepest, queue.length);
      }
      const consumed = random() < 0.05 ? 0 : 1 + Math.floor(random() * 2);
      for (let i = 0; i < consumed && queue.length > 0; i++) queue.shift();
      for (const q of queue) {
        assert.equal(q.frame.aimRad, q.aimRad, `tick ${tick}: a queued input was overwritten`);
        assert.equal(q.frame.moveX, q.moveX);
      }
    }
    assert.equal(deepest, BUFFER_MAX, 'the bursts filled the buffer');
    assert.ok(distinct.size <= BUFFER_MAX + 1, `${distinct.size} slots for a queue of at most ${BUFFER_MAX}`);
  });

  it('holds a steady client to a couple of slots', () => {
    const latest: InputFrame & { clone?: () => InputFrame } = { moveX: 1, moveY: 0, aimRad: 0, fire: true };
    // Each input is consumed by the step after it arrives, before the next one comes.
    copyInputsIntoSlots(latest, () => 0);
    const distinct = new Set<InputFrame>();
    for (let i = 0; i < 1000; i++) distinct.add(latest.clone!());
    assert.equal(distinct.size, 1);
    assert.deepEqual(latest.clone!(), { moveX: 1, moveY: 0, aimRad: 0, fire: true });
  });
});
