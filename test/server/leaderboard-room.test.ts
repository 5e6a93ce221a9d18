/**
 * The leaderboard on the real app with real SDK clients: a short round
 * (ROUND_DURATION_MS=5000) ends and its kills and win are written once, to
 * the identities the players joined with (two "Alex" are two entries, a bot
 * without identity is on no board), clients are told when the board has the
 * round, and `GET /leaderboard` validates, caps and rate-limits its queries.
 * Scores are arranged by writing the server room's state, as in arenaRoom.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Room } from '@colyseus/sdk';
import { IDENTITY_HEADER, type LeaderboardPage, type LeaderboardSaved } from '../../shared/leaderboard.ts';
import { ServerMessage } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import type { RoundResult } from '../../server/leaderboard/board.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';
import { newIdentity } from '../helpers/leaderboard.ts';

type ArenaClient = Room<ArenaRoom, ArenaState>;
const ROUND_DURATION_MS = 5000;

async function get(
  t: TestApp,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; res: Response }> {
  const res = await fetch(`${t.url}${path}`, { headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, res };
}

describe('leaderboard in the arena room', { timeout: 60_000 }, () => {
  let t: TestApp;
  const clients: ArenaClient[] = [];
  /** Every store write, with the round it carried. */
  const writes: RoundResult[] = [];

  before(async () => {
    t = await bootTestApp({
      ROUND_DURATION_MS: String(ROUND_DURATION_MS),
      SCOREBOARD_DURATION_MS: '1000',
      LEADERBOARD_RATE_LIMIT: '3',
    });
    const store = t.app.leaderboard.store;
    const record = store.record.bind(store);
    store.record = (result) => {
      writes.push(result);
      return record(result);
    };
  });
  after(async () => {
    for (const c of clients) await c.leave().catch(() => undefined);
    await t.colyseus.shutdown();
  });

  const join = async (roomId: string | undefined, options: Record<string, string>): Promise<ArenaClient> => {
    const sdk = t.colyseus.sdk;
    const client = await (roomId === undefined
      ? sdk.create<ArenaRoom>('arena', options)
      : sdk.joinById<ArenaRoom>(roomId, options));
    clients.push(client);
    // Messages this test does not read (roundOver, …) are expected, not a warning.
    client.onMessage('*', () => undefined);
    await waitFor(() => client.state.players?.get(client.sessionId) !== undefined, 'own player in the state');
    return client;
  };
  const arrange = (client: ArenaClient, kills: number): void => {
    const room = t.colyseus.getRoomById<ArenaRoom>(client.roomId);
    Object.assign(room.state.players.get(client.sessionId)!, { kills, score: kills });
  };
  const saved = (client: ArenaClient): LeaderboardSaved[] => {
    const got: LeaderboardSaved[] = [];
    client.onMessage(ServerMessage.LeaderboardSaved, (m: LeaderboardSaved) => got.push(m));
    return got;
  };

  const alex1 = newIdentity();
  const alex2 = newIdentity();
  const sam = newIdentity();

  it('refuses a malformed identity at the room edge, with the reason', async () => {
    await assert.rejects(
      t.colyseus.sdk.joinOrCreate('arena', { name: 'Alex', identity: 'not-hex' }),
      /identity must be 32 lowercase hex digits/u,
    );
  });

  it('writes each round once at its end: kills and the win per identity, nothing for a bot', async () => {
    // Room X: Alex (identity 1) beats a bot; room Y: another Alex (identity 2) beats Sam.
    const x1 = await join(undefined, { name: 'Alex', identity: alex1 });
    const bot = await join(x1.roomId, { name: 'Bot' });
    const y1 = await join(undefined, { name: 'Alex', identity: alex2 });
    const y2 = await join(y1.roomId, { name: 'Sam', identity: sam });
    arrange(x1, 3);
    arrange(bot, 1);
    arrange(y1, 2);
    arrange(y2, 1);
    const toldX = saved(x1);
    const toldY = saved(y2);

    await waitFor(
      () => toldX.length === 1 && toldY.length === 1,
      'both rooms told of the write',
      ROUND_DURATION_MS + 5000,
    );
    assert.deepEqual(toldX, [{ round: 1 }]);
    assert.equal(writes.length, 2, 'one write per room for round 1');
    const byRoom = new Map(writes.map((w) => [w.roundKey, w]));
    assert.deepEqual(byRoom.get(`${x1.roomId}:1`)?.players, [{ identity: alex1, name: 'Alex', kills: 3, win: true }]);
    assert.deepEqual(byRoom.get(`${y1.roomId}:1`)?.players, [
      { identity: alex2, name: 'Alex', kills: 2, win: true },
      { identity: sam, name: 'Sam', kills: 1, win: false },
    ]);

    const board = await get(t, '/leaderboard?board=daily&limit=10', { [IDENTITY_HEADER]: alex2 });
    assert.equal(board.status, 200);
    assert.equal(board.res.headers.get('cache-control'), 'private, no-store');
    const page = board.json as Partial<LeaderboardPage> as LeaderboardPage;
    assert.equal(page.day, new Date().toISOString().slice(0, 10));
    assert.deepEqual(page.entries, [
      { rank: 1, name: 'Alex', wins: 1, kills: 3 },
      { rank: 2, name: 'Alex', wins: 1, kills: 2, own: true },
      { rank: 3, name: 'Sam', wins: 0, kills: 1 },
    ]);
    assert.deepEqual(page.you, { rank: 2, name: 'Alex', wins: 1, kills: 2, own: true });

    // Round 2 in room X: Alex scores again; the write carries round 2, round 1 is not written again.
    await waitFor(() => x1.state.round.number === 2, 'round 2 in room X', 5000);
    arrange(x1, 1);
    arrange(bot, 0);
    await waitFor(() => toldX.length === 2, 'round 2 written', ROUND_DURATION_MS + 5000);
    assert.deepEqual(
      writes.map((w) => w.roundKey).filter((k) => k.startsWith(x1.roomId)),
      [`${x1.roomId}:1`, `${x1.roomId}:2`],
    );
    const alltime = await get(t, '/leaderboard?board=alltime&limit=1', { [IDENTITY_HEADER]: alex1 });
    assert.deepEqual((alltime.json as Partial<LeaderboardPage> as LeaderboardPage).entries, [
      { rank: 1, name: 'Alex', wins: 2, kills: 4, own: true },
    ]);
  });

  it('answers 400 for a bad board, limit or identity header', async () => {
    for (const path of ['/leaderboard?board=weekly', '/leaderboard?limit=0', '/leaderboard?limit=500']) {
      const res = await get(t, path);
      assert.equal(res.status, 400, path);
      assert.match(String(res.json.error), /board must be|limit must be/u);
    }
    const badId = await get(t, '/leaderboard', { [IDENTITY_HEADER]: 'ABC' });
    assert.equal(badId.status, 400);
    assert.match(String(badId.json.error), /identity must be 32 lowercase hex digits/u);
  });

  it('rate-limits reads per client address', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i += 1) {
      const res = await get(t, '/leaderboard', { 'x-forwarded-for': '203.0.113.77' });
      statuses.push(res.status);
      retryAfter ??= res.res.headers.get('retry-after');
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(Number(retryAfter) >= 1, `Retry-After ${retryAfter}`);
  });
});
