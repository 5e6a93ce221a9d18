/**
 * Over 300 lines on purpose: the leaderboard's cases (in memory and on a real
 * Redis) share their fixtures; short independent cases.
 *
 * The leaderboard's rules without Redis: identities and queries validated at
 * the edge, the round winner, the rank order (wins, then kills), the daily
 * board keyed by UTC day and forgotten after a few days, a round counted once,
 * and the recorder that writes off the tick and retries, then drops.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  boardScore,
  fromBoardScore,
  makeIdentity,
  parseBoardQuery,
  parseIdentity,
  parseLeaderboardPage,
  roundWinner,
  utcDay,
} from '../../shared/leaderboard.ts';
import { parseJoinOptions, type RoundOverEvent, type ScoreRow } from '../../shared/messages.ts';
import { DAILY_KEEP_DAYS, type LeaderboardStore, type RoundResult } from '../../server/leaderboard/board.ts';
import { MemoryLeaderboard } from '../../server/leaderboard/memoryBoard.ts';
import { LeaderboardRecorder } from '../../server/leaderboard/recorder.ts';
import { roundResult } from '../../server/leaderboard/roundResult.ts';
import { createLogger } from '../../server/logger.ts';
import { ArenaGame } from '../../server/game/ArenaGame.ts';
import { parseGameSnapshot } from '../../server/game/snapshot.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { assertAskerBelowLimit, assertEntryCap, assertRankOrder, DAY, id, result } from '../helpers/leaderboard.ts';

const row = (sessionId: string, name: string, kills: number, deaths = 0): ScoreRow => ({
  sessionId,
  name,
  kills,
  deaths,
  score: kills,
});

describe('leaderboard identity and query validation', () => {
  it('makes 32-hex-digit identities from 16 random bytes and accepts only that form', () => {
    const made = makeIdentity((n) => randomBytes(n));
    assert.match(made, /^[0-9a-f]{32}$/u);
    assert.equal(
      makeIdentity(() => new Uint8Array(16).fill(0xab)),
      'ab'.repeat(16),
    );
    assert.throws(() => makeIdentity(() => new Uint8Array(4)), /16 random bytes/u);
    assert.deepEqual(parseIdentity(made), { ok: true, value: made });
    for (const bad of [
      undefined,
      42,
      '',
      'AB'.repeat(16),
      'g'.repeat(32),
      'a'.repeat(31),
      'a'.repeat(33),
      'a'.repeat(10_000),
    ])
      assert.equal(parseIdentity(bad).ok, false, JSON.stringify(bad)?.slice(0, 40));
  });

  it('takes an optional identity in the join options and refuses a malformed one with a clear error', () => {
    const identity = id(7);
    assert.deepEqual(parseJoinOptions({ name: 'Alex', identity }), { ok: true, value: { name: 'Alex', identity } });
    assert.deepEqual(parseJoinOptions({ name: 'Bot 1' }), { ok: true, value: { name: 'Bot 1' } });
    const bad = parseJoinOptions({ name: 'Alex', identity: 'x'.repeat(500) });
    assert.deepEqual(bad, { ok: false, error: 'identity must be 32 lowercase hex digits' });
    assert.equal(parseJoinOptions({ name: 'Alex', identity: { $gt: '' } }).ok, false);
  });

  it('validates and caps GET /leaderboard queries', () => {
    assert.deepEqual(parseBoardQuery({}), { ok: true, value: { board: 'daily', limit: 10 } });
    assert.deepEqual(parseBoardQuery({ board: 'alltime', limit: '50' }), {
      ok: true,
      value: { board: 'alltime', limit: 50 },
    });
    for (const bad of [
      { board: 'weekly' },
      { board: ['daily', 'alltime'] },
      { limit: '0' },
      { limit: '51' },
      { limit: '-1' },
      { limit: '1e3' },
      { limit: '5.5' },
      { limit: ['5', '6'] },
    ])
      assert.equal(parseBoardQuery(bad).ok, false, JSON.stringify(bad));
  });

  it('checks a board answer before the page shows it', () => {
    const page = { board: 'daily', day: DAY, entries: [{ rank: 1, name: 'A', wins: 1, kills: 2, own: true }] };
    assert.deepEqual(parseLeaderboardPage(page), { ok: true, value: page });
    assert.equal(parseLeaderboardPage({ ...page, entries: [{ rank: 0, name: 'A', wins: 1, kills: 2 }] }).ok, false);
    assert.equal(parseLeaderboardPage({ ...page, board: 'x' }).ok, false);
    assert.equal(parseLeaderboardPage({ ...page, you: { rank: 1 } }).ok, false);
  });
});

describe('leaderboard rules', () => {
  it('keys the daily board by the UTC day of the round end', () => {
    assert.equal(utcDay(Date.UTC(2026, 10, 30, 23, 59, 59, 999)), '2026-11-30');
    assert.equal(utcDay(Date.UTC(2026, 11, 1, 0, 0, 0, 0)), '2026-12-01');
  });

  it('packs wins and kills into one exact sort key, wins first', () => {
    assert.deepEqual(fromBoardScore(boardScore(3, 17)), { wins: 3, kills: 17 });
    assert.deepEqual(fromBoardScore(boardScore(2_000_000, 4_000_000_000)), { wins: 2_000_000, kills: 4_000_000_000 });
    assert.ok(boardScore(1, 0) > boardScore(0, 1_000_000), 'one win outranks any number of kills');
  });

  it('names a winner only when two or more played and the best scored', () => {
    assert.equal(roundWinner([row('a', 'A', 2), row('b', 'B', 1)])?.sessionId, 'a');
    assert.equal(roundWinner([row('a', 'A', 5)]), undefined, 'alone: no win to farm');
    assert.equal(roundWinner([row('a', 'A', 0), row('b', 'B', 0)]), undefined, 'nobody scored');
    assert.equal(roundWinner([]), undefined);
  });

  it('builds a round result from the final scoreboard: identities only, scorers only, the winner marked', () => {
    const event: RoundOverEvent = {
      round: 4,
      rows: [row('s1', 'Alex', 3), row('s2', 'Alex 2', 1), row('bot', 'Bot', 1), row('s3', 'Idle', 0)],
      nextRoundInMs: 8000,
    };
    const identities = new Map([
      ['s1', id(1)],
      ['s2', id(2)],
      ['s3', id(3)],
    ]);
    assert.deepEqual(
      roundResult('match-1', event, (sid) => identities.get(sid), Date.UTC(2026, 10, 30, 12)),
      result('match-1:4', [
        { identity: id(1), name: 'Alex', kills: 3, win: true },
        { identity: id(2), name: 'Alex 2', kills: 1, win: false },
      ]),
    );
  });
});

describe('leaderboard identity through a hand-off', () => {
  const rules = { tickRateHz: 30, roundDurationMs: 60_000, scoreboardDurationMs: 1000, respawnDelayMs: 1000 };
  const quiet = { kill: () => undefined, roundOver: () => undefined, roundStarted: () => undefined };

  it('carries identities and the match id in the snapshot, so the continuation writes the same round key', () => {
    const game = new ArenaGame(ARENA_MAP, rules, quiet);
    game.matchId = 'roomA1';
    game.addPlayer('s1', 'Alex', id(1));
    game.addPlayer('bot', 'Bot');
    const parsed = parseGameSnapshot(JSON.stringify(game.snapshot()));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    const next = new ArenaGame(ARENA_MAP, rules, quiet);
    next.matchId = 'roomB7';
    next.restore(parsed.value);
    assert.equal(next.matchId, 'roomA1', 'the match keeps the id it began with');
    assert.equal(next.identityOf('s1'), id(1));
    assert.equal(next.identityOf('bot'), undefined);
    next.removePlayer('s1');
    assert.equal(next.identityOf('s1'), undefined);
  });

  it('refuses a snapshot with a malformed identity or match id, and reads one without (an older build)', () => {
    const game = new ArenaGame(ARENA_MAP, rules, quiet);
    game.addPlayer('s1', 'Alex', id(1));
    const snap = game.snapshot();
    assert.equal(snap.matchId, undefined);
    assert.ok(parseGameSnapshot(JSON.stringify(snap)).ok);
    const badIdentity = { ...snap, players: [{ ...snap.players[0], identity: 'x' }] };
    assert.deepEqual(parseGameSnapshot(JSON.stringify(badIdentity)), {
      ok: false,
      error: 'players[0].identity is invalid',
    });
    assert.deepEqual(parseGameSnapshot(JSON.stringify({ ...snap, matchId: 'a:b' })), {
      ok: false,
      error: 'matchId is invalid',
    });
  });
});

describe('in-memory leaderboard', () => {
  it('ranks by wins then kills, keeps the latest name, and marks the asker', async () => {
    const board = new MemoryLeaderboard();
    const read = await assertRankOrder(board);
    assert.deepEqual(
      (await board.read('alltime', DAY, 10)).entries,
      read.entries.map(({ own: _, ...e }) => e),
    );
  });

  it('answers the asker’s own place below the limit, and nothing for an identity it has never seen', async () => {
    await assertAskerBelowLimit(new MemoryLeaderboard());
  });

  it('counts a round once, however often it is written', async () => {
    const board = new MemoryLeaderboard();
    const round = result('m:7', [{ identity: id(1), name: 'A', kills: 2, win: true }]);
    assert.equal(await board.record(round), true);
    assert.equal(await board.record(round), false);
    assert.deepEqual((await board.read('alltime', DAY, 5)).entries, [{ rank: 1, name: 'A', wins: 1, kills: 2 }]);
  });

  it('keeps one daily board per UTC day and forgets it after DAILY_KEEP_DAYS; the all-time board stays', async () => {
    let now = Date.UTC(2026, 10, 30, 12);
    const board = new MemoryLeaderboard(() => now);
    await board.record(result('m:1', [{ identity: id(1), name: 'A', kills: 1, win: false }], '2026-11-30'));
    await board.record(result('m:2', [{ identity: id(2), name: 'B', kills: 1, win: false }], '2026-12-01'));
    assert.deepEqual(
      (await board.read('daily', '2026-11-30', 5)).entries.map((e) => e.name),
      ['A'],
    );
    assert.deepEqual(
      (await board.read('daily', '2026-12-01', 5)).entries.map((e) => e.name),
      ['B'],
    );
    now += (DAILY_KEEP_DAYS + 1) * 24 * 3600 * 1000;
    assert.deepEqual((await board.read('daily', '2026-11-30', 5)).entries, []);
    assert.equal((await board.read('alltime', '2026-11-30', 5)).entries.length, 2);
  });

  it('keeps at most its entry cap, dropping the lowest ranked', async () => {
    await assertEntryCap(new MemoryLeaderboard(Date.now, 3));
  });
});

describe('leaderboard recorder', () => {
  const log = createLogger('silent');

  /** A store that fails its first `failures` writes, then writes to memory. */
  function flaky(failures: number): LeaderboardStore & { calls: number } {
    const memory = new MemoryLeaderboard();
    const store = {
      calls: 0,
      async record(r: RoundResult) {
        store.calls += 1;
        if (store.calls <= failures) throw new Error('redis is away');
        return memory.record(r);
      },
      read: memory.read.bind(memory),
      close: async () => undefined,
    };
    return store;
  }
  const round = result('m:1', [{ identity: id(1), name: 'A', kills: 1, win: true }]);

  it('writes on a later turn, never inside the caller', async () => {
    const store = flaky(0);
    const recorder = new LeaderboardRecorder(store, log);
    const written = recorder.submit(round);
    assert.equal(store.calls, 0, 'nothing written during submit');
    assert.equal(await written, true);
    assert.equal(store.calls, 1);
  });

  it('keeps a failed round and retries it until the store takes it', async () => {
    const store = flaky(2);
    const recorder = new LeaderboardRecorder(store, log, [5, 5, 5]);
    assert.equal(await recorder.submit(round), true);
    assert.equal(store.calls, 3);
    assert.equal(recorder.pendingRounds, 0);
    assert.equal((await store.read('alltime', DAY, 5)).entries[0]?.wins, 1);
  });

  it('drops a round with a warning once its retries are spent', async () => {
    const lines: string[] = [];
    const recorder = new LeaderboardRecorder(
      flaky(100),
      createLogger('warn', {}, { write: (line) => lines.push(line) }),
      [5, 5],
    );
    assert.equal(await recorder.submit(round), false);
    const dropped = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r.message === 'leaderboard round dropped');
    assert.ok(dropped, lines.join('\n'));
    assert.equal(dropped.roundKey, 'm:1');
  });

  it('bounds the rounds waiting during an outage, dropping the oldest', async () => {
    const recorder = new LeaderboardRecorder(flaky(100), log, [60_000], 2);
    const first = recorder.submit(result('m:1', round.players));
    void recorder.submit(result('m:2', round.players));
    void recorder.submit(result('m:3', round.players));
    assert.equal(await first, false);
    assert.equal(recorder.pendingRounds, 2);
    await recorder.close(0);
    assert.equal(recorder.pendingRounds, 0);
  });

  it('writes nothing for a round without players on the board', async () => {
    const store = flaky(0);
    assert.equal(await new LeaderboardRecorder(store, log).submit(result('m:1', [])), false);
    assert.equal(store.calls, 0);
  });
});
