/** The chat token bucket: a burst, then refusal, then one message per refill interval. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHAT_BURST, CHAT_REFILL_MS } from '../../shared/constants.ts';
import { ChatLimiter } from '../../server/game/chatLimiter.ts';

describe('ChatLimiter', () => {
  it('allows a burst, refuses the next message, then refills at one per interval', () => {
    const limiter = new ChatLimiter(CHAT_BURST, CHAT_REFILL_MS);
    const t0 = 1_000_000;
    for (let i = 0; i < CHAT_BURST; i++) assert.equal(limiter.tryTake('a', t0), true, `burst message ${i + 1}`);
    assert.equal(limiter.tryTake('a', t0), false, 'over the burst');
    assert.equal(limiter.tryTake('a', t0 + CHAT_REFILL_MS - 1), false, 'one millisecond before a token is earned');
    assert.equal(limiter.tryTake('a', t0 + CHAT_REFILL_MS), true, 'a token is earned after one interval');
    assert.equal(limiter.tryTake('a', t0 + CHAT_REFILL_MS), false, 'and only one');
    assert.equal(limiter.tryTake('a', t0 + 3 * CHAT_REFILL_MS), true);
    assert.equal(limiter.tryTake('a', t0 + 3 * CHAT_REFILL_MS), true, 'two intervals earned two tokens');
    assert.equal(limiter.tryTake('a', t0 + 3 * CHAT_REFILL_MS), false);
  });

  it('refused attempts do not push the refill back', () => {
    const limiter = new ChatLimiter(1, 1000);
    assert.equal(limiter.tryTake('a', 0), true);
    for (let t = 100; t < 1000; t += 100) assert.equal(limiter.tryTake('a', t), false, `at ${t} ms`);
    // Partial tokens are summed in floating point, so allow the refill to land within a millisecond.
    assert.equal(limiter.tryTake('a', 1001), true, 'spamming while limited still refills on schedule');
  });

  it('never banks more than the burst, however long the sender was quiet', () => {
    const limiter = new ChatLimiter(CHAT_BURST, CHAT_REFILL_MS);
    assert.equal(limiter.tryTake('a', 0), true);
    const later = 1_000 * CHAT_REFILL_MS;
    for (let i = 0; i < CHAT_BURST; i++) assert.equal(limiter.tryTake('a', later), true);
    assert.equal(limiter.tryTake('a', later), false);
  });

  it('keeps one bucket per sender', () => {
    const limiter = new ChatLimiter(2, 1000);
    assert.equal(limiter.tryTake('a', 0), true);
    assert.equal(limiter.tryTake('a', 0), true);
    assert.equal(limiter.tryTake('a', 0), false);
    assert.equal(limiter.tryTake('b', 0), true, "a's spam does not limit b");
    assert.equal(limiter.tryTake('b', 0), true);
    assert.equal(limiter.tryTake('b', 0), false);
  });

  it('forget() gives a sender a fresh bucket', () => {
    const limiter = new ChatLimiter(1, 1000);
    assert.equal(limiter.tryTake('a', 0), true);
    assert.equal(limiter.tryTake('a', 0), false);
    limiter.forget('a');
    assert.equal(limiter.tryTake('a', 0), true);
  });
});
