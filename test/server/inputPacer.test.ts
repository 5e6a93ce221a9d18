/** The server's input pacer: one decision per window, sent only when it changes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputPacer } from '../../server/game/inputPacer.ts';

describe('InputPacer', () => {
  const feed = (pacer: InputPacer, sid: string, depths: number[]): Array<number | undefined> =>
    depths.map((d) => pacer.observe(sid, d));

  it('says nothing while a client keeps one input queued', () => {
    const pacer = new InputPacer(10);
    assert.deepEqual(
      feed(pacer, 'a', Array(50).fill(1)).filter((x) => x !== undefined),
      [],
    );
  });

  it('slows a client with a standing queue once per window, then lets it go back to nominal', () => {
    const pacer = new InputPacer(10);
    const first = feed(pacer, 'a', Array(10).fill(4));
    assert.deepEqual(first.slice(0, 9), Array(9).fill(undefined), 'nothing before the window is full');
    assert.ok(first[9]! < 1, `asked to slow down, got ${first[9]}`);
    assert.deepEqual(feed(pacer, 'a', Array(10).fill(4)), Array(10).fill(undefined), 'the same rate is not repeated');
    const back = feed(pacer, 'a', Array(10).fill(1));
    assert.equal(back[9], 1, 'back to nominal once the queue is near one step');
  });

  it('speeds up a client that leaves steps without input, but not one that sends nothing at all', () => {
    const pacer = new InputPacer(10);
    assert.deepEqual(
      feed(pacer, 'idle', Array(30).fill(0)).filter((x) => x !== undefined),
      [],
      'an idle client is not told anything',
    );
    const starved = feed(pacer, 'slow', [1, 0, 0, 1, 0, 0, 1, 0, 0, 0]);
    assert.ok(starved[9]! > 1, `asked to speed up, got ${starved[9]}`);
  });

  it('keeps clients apart and forgets one that left', () => {
    const pacer = new InputPacer(5);
    feed(pacer, 'a', Array(4).fill(5));
    assert.deepEqual(feed(pacer, 'b', Array(5).fill(1)), Array(5).fill(undefined));
    pacer.forget('a');
    assert.deepEqual(feed(pacer, 'a', Array(4).fill(1)), Array(4).fill(undefined), 'a starts a fresh window');
    assert.equal(pacer.observe('a', 1), undefined, 'and a fresh window of ones needs no change');
  });
});
