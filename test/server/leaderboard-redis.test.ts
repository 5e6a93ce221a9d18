/**
 * The Redis leaderboard against a real redis-server started by the test:
 * the same order as the in-memory board, sorted sets and name hashes under
 * the expected keys, the daily board expiring, a round counted once when
 * written twice (a retry, or the old and new instance of a hand-off), boards
 * that outlive the process writing them, and a Redis outage that the recorder
 * rides out: the round is kept, retried, and written once Redis is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DAILY_KEEP_DAYS } from '../../server/leaderboard/board.ts';
import { LeaderboardRecorder } from '../../server/leaderboard/recorder.ts';
import { boardKey, RedisLeaderboard } from '../../server/leaderboard/redisBoard.ts';
import { createRedis } from '../../server/cluster/redis.ts';
import { createLogger } from '../../server/logger.ts';
import { boardScore } from '../../shared/leaderboard.ts';
import { startRedis, stopAll, type RedisServer } from '../../harness/cluster.ts';
import { waitFor } from '../../harness/net.ts';
import { assertAskerBelowLimit, assertEntryCap, assertRankOrder, DAY, id, result } from '../helpers/leaderboard.ts';

describe('Redis leaderboard', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  const stores: RedisLeaderboard[] = [];
  const open = (): RedisLeaderboard => {
    const store = new RedisLeaderboard(createRedis(redis.url, () => undefined));
    stores.push(store);
    return store;
  };

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const store of stores) await store.close();
    await stopAll();
  });

  it('ranks by wins then kills with the latest name, in sorted sets and name hashes', async () => {
    await redis.client.flushall();
    await assertRankOrder(open());
    assert.equal(Number(await redis.client.zscore(boardKey('alltime', DAY), id(2))), boardScore(1, 1));
    assert.equal(await redis.client.hget(`${boardKey('alltime', DAY)}:names`, id(3)), 'Samira');
    const ttl = await redis.client.ttl(boardKey('daily', DAY));
    assert.ok(ttl > (DAILY_KEEP_DAYS - 1) * 86_400 && ttl <= DAILY_KEEP_DAYS * 86_400, `daily TTL ${ttl} s`);
    assert.equal(await redis.client.ttl(boardKey('alltime', DAY)), -1, 'the all-time board never expires');
  });

  it('answers the asker’s own place below the limit, and no entry for a stranger or an empty board', async () => {
    await redis.client.flushall();
    await assertAskerBelowLimit(open());
  });

  it('counts a round once when two instances (or a retry) write it', async () => {
    await redis.client.flushall();
    const round = result('room-a:3', [{ identity: id(1), name: 'A', kills: 2, win: true }]);
    const [first, second] = await Promise.all([open().record(round), open().record(round)]);
    assert.deepEqual([first, second].sort(), [false, true]);
    assert.deepEqual((await open().read('alltime', DAY, 5)).entries, [{ rank: 1, name: 'A', wins: 1, kills: 2 }]);
  });

  it('outlives the instance that wrote it: a new connection (a restarted server) reads the same board', async () => {
    await redis.client.flushall();
    const writer = open();
    await writer.record(result('m:1', [{ identity: id(5), name: 'Kept', kills: 3, win: true }]));
    await writer.close();
    const read = await open().read('alltime', DAY, 5, id(5));
    assert.deepEqual(read.entries, [{ rank: 1, name: 'Kept', wins: 1, kills: 3, own: true }]);
  });

  it('keeps at most its entry cap, dropping the lowest ranked and their names', async () => {
    await redis.client.flushall();
    const board = new RedisLeaderboard(
      createRedis(redis.url, () => undefined),
      3,
    );
    stores.push(board);
    await assertEntryCap(board);
    assert.equal(await redis.client.hlen(`${boardKey('alltime', DAY)}:names`), 3);
    assert.equal(await redis.client.zcard(boardKey('daily', DAY)), 3);
  });

  it('rides out a Redis outage: the round is kept, retried, and written once when Redis is back', async () => {
    await redis.client.flushall();
    const lines: string[] = [];
    const store = open();
    const recorder = new LeaderboardRecorder(
      store,
      createLogger('warn', {}, { write: (line) => lines.push(line) }),
      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    );
    await redis.kill();
    const written = recorder.submit(result('m:9', [{ identity: id(9), name: 'Late', kills: 1, win: true }]));
    await waitFor(
      () => lines.some((l) => l.includes('leaderboard write failed; will retry')),
      'a failed write to be logged as retried',
      15_000,
      50,
    );
    await redis.restart();
    assert.equal(await written, true);
    const check = new Redis(redis.url);
    try {
      assert.equal(Number(await check.zscore(boardKey('alltime', DAY), id(9))), boardScore(1, 1), 'counted once');
    } finally {
      check.disconnect();
    }
  });
});
