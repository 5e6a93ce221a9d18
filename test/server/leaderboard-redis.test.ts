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
import { DAILY_KEEP_DAYS, type RoundResult } from '../../server/leaderboard/board.ts';
import { LeaderboardRecorder } from '../../server/leaderboard/recorder.ts';
import { boardKey, RedisLeaderboard } from '../../server/leaderboard/redisBoard.ts';
import { createRedis } from '../../server/cluster/redis.ts';
import { createLogger } from '../../server/logger.ts';
import { boardScore } from '../../shared/leaderboard.ts';
import { startRedis, stopAll, type RedisServer } from '../../harness/cluster.ts';
import { waitFor } from '../../harness/net.ts';

const id = (n: number): string => n.toString(16).padStart(32, '0');
const DAY = '2026-11-30';
const result = (roundKey: string, players: RoundResult['players'], day = DAY): RoundResult => ({
  roundKey,
  day,
  players,
});

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
    const board = open();
    assert.equal(
      await board.record(
        result('m:1', [
          { identity: id(1), name: 'Alex', kills: 5, win: false },
          { identity: id(2), name: 'Alex', kills: 1, win: true },
          { identity: id(3), name: 'Sam', kills: 2, win: false },
        ]),
      ),
      true,
    );
    await board.record(result('m:2', [{ identity: id(3), name: 'Samira', kills: 4, win: false }]));
    const read = await board.read('daily', DAY, 10, id(1));
    assert.deepEqual(read.entries, [
      { rank: 1, name: 'Alex', wins: 1, kills: 1 },
      { rank: 2, name: 'Samira', wins: 0, kills: 6 },
      { rank: 3, name: 'Alex', wins: 0, kills: 5, own: true },
    ]);
    assert.deepEqual(read.you, { rank: 3, name: 'Alex', wins: 0, kills: 5, own: true });
    assert.equal(Number(await redis.client.zscore(boardKey('alltime', DAY), id(2))), boardScore(1, 1));
    assert.equal(await redis.client.hget(`${boardKey('alltime', DAY)}:names`, id(3)), 'Samira');
    const ttl = await redis.client.ttl(boardKey('daily', DAY));
    assert.ok(ttl > (DAILY_KEEP_DAYS - 1) * 86_400 && ttl <= DAILY_KEEP_DAYS * 86_400, `daily TTL ${ttl} s`);
    assert.equal(await redis.client.ttl(boardKey('alltime', DAY)), -1, 'the all-time board never expires');
  });

  it('answers the asker’s own place below the limit, and no entry for a stranger or an empty board', async () => {
    await redis.client.flushall();
    const board = open();
    await board.record(
      result(
        'm:1',
        [1, 2, 3, 4].map((n) => ({ identity: id(n), name: `P${n}`, kills: 10 - n, win: false })),
      ),
    );
    const read = await board.read('alltime', DAY, 2, id(4));
    assert.deepEqual(
      read.entries.map((e) => e.name),
      ['P1', 'P2'],
    );
    assert.deepEqual(read.you, { rank: 4, name: 'P4', wins: 0, kills: 6, own: true });
    assert.equal((await board.read('alltime', DAY, 2, id(99))).you, undefined);
    assert.deepEqual(await board.read('daily', '2026-01-01', 5, id(1)), { entries: [] });
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
    await board.record(
      result(
        'm:1',
        [1, 2, 3, 4, 5].map((n) => ({ identity: id(n), name: `P${n}`, kills: n, win: false })),
      ),
    );
    assert.deepEqual(
      (await board.read('alltime', DAY, 50)).entries.map((e) => e.name),
      ['P5', 'P4', 'P3'],
    );
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
