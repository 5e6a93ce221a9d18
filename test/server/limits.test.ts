/** Pure parts of the per-address limits: who the client is behind proxies, and fixed-window counting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopback, normalizeAddress, resolveClientAddress } from '../../server/limits/clientAddress.ts';
import { RateLimiter } from '../../server/limits/rateLimit.ts';
import { RoomBudget } from '../../server/limits/roomBudget.ts';
import { createLogger } from '../../server/logger.ts';
import { FRESH_SEAT_MS, SeatBook, type ReservedSeat } from '../../server/rooms/seats.ts';

const log = createLogger('silent', { service: 'test' });

describe('resolveClientAddress', () => {
  it('trusts only as many X-Forwarded-For entries as there are proxies', () => {
    // One proxy (the default): it appended the address that connected to it, the right-most entry.
    assert.equal(resolveClientAddress('10.0.0.1', '203.0.113.7', 1), '203.0.113.7');
    // Whatever the client wrote before that entry is ignored: it cannot pick its own key.
    assert.equal(resolveClientAddress('10.0.0.1', '1.1.1.1, 2.2.2.2, 203.0.113.7', 1), '203.0.113.7');
    assert.equal(resolveClientAddress('10.0.0.1', '1.1.1.1, 203.0.113.7, 10.9.9.9', 2), '203.0.113.7');
    // Two header lines count as one list.
    assert.equal(resolveClientAddress('10.0.0.1', ['9.9.9.9', '203.0.113.7'], 1), '203.0.113.7');
  });

  it('uses the socket peer with no trusted proxy, or when the header is missing', () => {
    assert.equal(resolveClientAddress('198.51.100.4', '203.0.113.7', 0), '198.51.100.4');
    assert.equal(resolveClientAddress('198.51.100.4', undefined, 1), '198.51.100.4');
    assert.equal(resolveClientAddress('198.51.100.4', '', 1), '198.51.100.4');
    // A shorter chain than the trusted hops: the left-most entry, never past the list.
    assert.equal(resolveClientAddress('10.0.0.1', '203.0.113.7', 3), '203.0.113.7');
    assert.equal(resolveClientAddress(undefined, undefined, 0), 'unknown');
  });

  it('normalises addresses into bounded keys', () => {
    assert.equal(normalizeAddress('::FFFF:203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeAddress('2001:DB8::1'), '2001:db8::1');
    assert.equal(resolveClientAddress('::ffff:127.0.0.1', undefined, 0), '127.0.0.1');
    assert.ok(resolveClientAddress('10.0.0.1', 'x'.repeat(100_000), 1).length <= 64);
  });

  it('knows loopback from the rest', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1']) assert.ok(isLoopback(a), a);
    for (const a of ['10.0.0.1', '203.0.113.7', '::2', '127.0.0.1.evil', 'unknown']) assert.ok(!isLoopback(a), a);
  });
});

describe('RateLimiter (in memory)', () => {
  it('allows `limit` requests per window and key, then answers when to retry', async () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(undefined, log, 10_000, () => now);
    for (let i = 0; i < 3; i++) assert.deepEqual(await limiter.take('join', 'a', 3), { allowed: true, retryAfterS: 0 });
    now += 2_500;
    assert.deepEqual(await limiter.take('join', 'a', 3), { allowed: false, retryAfterS: 8 });
    // Another address, and another bucket of the same address, are not touched.
    assert.equal((await limiter.take('join', 'b', 3)).allowed, true);
    assert.equal((await limiter.take('reconnect', 'a', 3)).allowed, true);
    now += 7_500;
    assert.equal((await limiter.take('join', 'a', 3)).allowed, true, 'a new window');
  });

  it('limit 0 is no limit, and counters stay bounded under a flood of keys', async () => {
    let now = 0;
    const limiter = new RateLimiter(undefined, log, 10_000, () => now);
    assert.equal((await limiter.take('join', 'a', 0)).allowed, true);
    for (let i = 0; i < 60_000; i++) await limiter.take('join', `k${i}`, 5);
    assert.ok(limiter.localCounters <= 50_000, `${limiter.localCounters} counters`);
    now += 20_000;
    await limiter.take('join', 'fresh', 5);
    assert.ok(limiter.localCounters <= 50_000);
  });
});

describe('RoomBudget', () => {
  it('gives out at most `max` places and takes them back', () => {
    const budget = new RoomBudget(2);
    assert.equal(budget.tryTake(), true);
    assert.equal(budget.tryTake(), true);
    assert.equal(budget.tryTake(), false);
    assert.equal(budget.full, true);
    budget.release();
    assert.equal(budget.count, 1);
    assert.equal(budget.tryTake(), true);
  });
});

describe('SeatBook', () => {
  const fresh: ReservedSeat = [{}, undefined, false, false];
  const held: ReservedSeat = [true, undefined, false, true];
  const consumed: ReservedSeat = [{}, undefined, true, false];

  it('counts connected players, held seats and young reservations; old unused reservations stop counting', () => {
    const book = new SeatBook();
    const reserved: Record<string, ReservedSeat> = { a: fresh, b: fresh, r: held, c: consumed };
    assert.equal(
      book.taken(2, reserved, 1000),
      2 + 2 + 1,
      'two fresh, one held; a seat being consumed is its connecting client',
    );
    reserved.d = fresh;
    assert.equal(book.taken(2, reserved, 1000 + FRESH_SEAT_MS - 1), 6, 'd is new; a and b are still young');
    assert.equal(book.taken(2, reserved, 1000 + FRESH_SEAT_MS), 4, 'a and b aged out; d and the held seat count');
    assert.equal(book.taken(2, reserved, 1000 + 10 * FRESH_SEAT_MS), 3, 'only the held seat is left');
    // A reservation that went away and comes back under the same id is young again.
    delete reserved.a;
    assert.equal(book.taken(0, reserved, 50_000), 1);
    reserved.a = fresh;
    assert.equal(book.taken(0, reserved, 50_001), 2);
  });

  it('tells held seats from fresh ones', () => {
    assert.equal(SeatBook.isHeld({ r: held, a: fresh }, 'r'), true);
    assert.equal(SeatBook.isHeld({ r: held, a: fresh }, 'a'), false);
    assert.equal(SeatBook.isHeld({}, 'x'), false);
  });
});
