/**
 * What the leaderboard tests share: identities, round results, and the cases
 * every board store must pass alike, in memory and on Redis (the rank order
 * with the latest name and the asker marked, the asker's place below the
 * limit, the entry cap). Each store's own file adds what only it has.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BoardRead, LeaderboardStore, RoundResult } from '../../server/leaderboard/board.ts';
import { makeIdentity } from '../../shared/leaderboard.ts';

/** The UTC day the rounds of these tests end on. */
export const DAY = '2026-11-30';

/** A fixed identity, `n` in hex (32 digits). */
export const id = (n: number): string => n.toString(16).padStart(32, '0');

/** A fresh random identity, as a browser makes one. */
export const newIdentity = (): string => makeIdentity((n) => randomBytes(n));

/** A round's result for the boards. */
export const result = (roundKey: string, players: RoundResult['players'], day = DAY): RoundResult => ({
  roundKey,
  day,
  players,
});

/**
 * Two rounds: wins rank above kills, a player keeps the latest name, two
 * players may share a name, and the asker is marked. Answers the daily read.
 */
export async function assertRankOrder(board: LeaderboardStore): Promise<BoardRead> {
  const first = await board.record(
    result('m:1', [
      { identity: id(1), name: 'Alex', kills: 5, win: false },
      { identity: id(2), name: 'Alex', kills: 1, win: true },
      { identity: id(3), name: 'Sam', kills: 2, win: false },
    ]),
  );
  assert.equal(first, true, 'a new round is written');
  await board.record(result('m:2', [{ identity: id(3), name: 'Samira', kills: 4, win: false }]));
  const read = await board.read('daily', DAY, 10, id(1));
  assert.deepEqual(read.entries, [
    { rank: 1, name: 'Alex', wins: 1, kills: 1 },
    { rank: 2, name: 'Samira', wins: 0, kills: 6 },
    { rank: 3, name: 'Alex', wins: 0, kills: 5, own: true },
  ]);
  assert.deepEqual(read.you, { rank: 3, name: 'Alex', wins: 0, kills: 5, own: true });
  return read;
}

/** The asker's own place comes back below the limit; a stranger and an empty board get no entry. */
export async function assertAskerBelowLimit(board: LeaderboardStore): Promise<void> {
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
}

/** A board capped at 3 entries keeps the 3 best of 5 players. */
export async function assertEntryCap(cappedAt3: LeaderboardStore): Promise<void> {
  await cappedAt3.record(
    result(
      'm:1',
      [1, 2, 3, 4, 5].map((n) => ({ identity: id(n), name: `P${n}`, kills: n, win: false })),
    ),
  );
  assert.deepEqual(
    (await cappedAt3.read('alltime', DAY, 50)).entries.map((e) => e.name),
    ['P5', 'P4', 'P3'],
  );
}
