/**
 * What anonymous matchmaking load can no longer do, on the real app with real
 * HTTP and SDK clients: make rooms without bound, make idle rooms tick, send
 * more than its share of requests, pass server-only or absurd options, or
 * lock a room with seat reservations it never uses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matchMaker } from '@colyseus/core';
import { Client, type Room } from '@colyseus/sdk';
import type { ArenaState } from '../../shared/state.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

/** POST a matchmaking request as if through one proxy that saw the client at `address`. */
async function matchmake(
  t: TestApp,
  method: string,
  body: unknown,
  address?: string,
  target = 'arena',
): Promise<{ status: number; json: Record<string, unknown>; retryAfter: string | null }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (address !== undefined) headers['x-forwarded-for'] = address;
  const res = await fetch(`${t.url}/matchmake/${method}/${target}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: JSON.parse(text) as Record<string, unknown>,
    retryAfter: res.headers.get('retry-after'),
  };
}

/** Sum of the `arena_tick_duration_seconds` histogram's count: fixed steps run so far on this process. */
async function stepsRun(t: TestApp): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('arena_tick_duration_seconds_count'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('room cap and idle rooms (MAX_ROOMS)', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ MAX_ROOMS: '4', JOIN_RATE_LIMIT: '0' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('a create flood makes at most MAX_ROOMS rooms; the rest get 503 with Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => matchmake(t, 'create', { name: `flood${i}` })),
    );
    const created = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    assert.equal(created.length, 4, JSON.stringify(answers.map((a) => a.status)));
    for (const r of refused) {
      assert.equal(r.status, 503);
      assert.equal(r.retryAfter, '5');
      assert.match(String(r.json.error), /as many rooms as it may \(4\)/u);
    }
    assert.equal(t.app.arenaRooms.size, 4);
    assert.equal(t.app.roomBudget.count, 4);
    assert.equal((await matchMaker.query({ name: 'arena' })).length, 4);
  });

  it('rooms nobody joined run no simulation, and give their place back when their seat expires', async () => {
    const before = await stepsRun(t);
    // Seats handed out by matchmaking expire after 8 s; the empty rooms then close and free the cap.
    await waitFor(() => t.app.roomBudget.count === 0, 'the unused rooms to be disposed', 15_000, 100);
    assert.equal(await stepsRun(t), before, 'no fixed step ran in rooms nobody joined, in their whole life');
    assert.equal(t.app.arenaRooms.size, 0);
    const client = new Client(t.url);
    const room = await client.joinOrCreate<ArenaState>('arena', { name: 'honest' });
    try {
      await waitFor(async () => (await stepsRun(t)) > before, 'the room to tick once a player is in');
    } finally {
      await room.leave();
    }
  });

  it('an honest player keeps playing through a create flood that finds the server full', async () => {
    await waitFor(() => t.app.roomBudget.count === 0, "the first flood's rooms to close", 15_000, 100);
    const honest = await new Client(t.url).joinOrCreate<ArenaState>('arena', { name: 'honest' });
    try {
      await waitFor(() => honest.state.players?.has(honest.sessionId) === true, 'the honest player in its room');
      const tickBefore = honest.state.tick;
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => matchmake(t, 'create', { name: `wave${i}` })),
      );
      assert.equal(answers.filter((a) => a.status === 200).length, 3, 'the cap counts the honest room too');
      assert.ok(answers.every((a) => a.status === 200 || a.status === 503));
      assert.ok(t.app.arenaRooms.size <= 4);
      await waitFor(() => honest.state.tick > tickBefore + 30, 'the honest room to keep stepping and patching');
      assert.equal(honest.connection.isOpen, true);
    } finally {
      await honest.leave();
    }
  });
});

describe('per-address rate limits on matchmaking', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ JOIN_RATE_LIMIT: '3', RECONNECT_RATE_LIMIT: '2', TRUST_PROXY_HOPS: '1' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('answers 429 with Retry-After past the limit, for that address only', async () => {
    const attacker = '203.0.113.66';
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof matchmake>> | undefined;
    for (let i = 0; i < 5; i++) {
      const answer = await matchmake(
        t,
        i % 2 === 0 ? 'joinOrCreate' : 'create',
        { name: `a${i}` },
        `198.51.100.1, ${attacker}`,
      );
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(limited);
    const retryAfter = Number(limited.retryAfter);
    assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${limited.retryAfter}`);
    assert.equal(limited.json.retryAfterS, retryAfter);
    assert.match(String(limited.json.error), /too many matchmaking requests/u);
    // joinById counts too: an address cannot switch methods to get more.
    assert.equal((await matchmake(t, 'joinById', { name: 'x' }, attacker, 'no-such-room')).status, 429);
    // A spoofed left-hand X-Forwarded-For entry does not buy a fresh allowance.
    assert.equal((await matchmake(t, 'create', { name: 'spoof' }, `10.1.2.3, ${attacker}`)).status, 429);
    // Anyone else is unaffected: the limit is the address's own, never a room's or a name's.
    assert.equal((await matchmake(t, 'joinOrCreate', { name: 'a0' }, '203.0.113.67')).status, 200);
  });

  it('limits reconnection attempts separately', async () => {
    const address = '203.0.113.80';
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await matchmake(t, 'reconnect', { reconnectionToken: `nope${i}` }, address, 'no-such-room')).status,
      );
    assert.deepEqual(
      statuses.map((s) => s === 429),
      [false, false, true],
    );
    assert.equal(
      (await matchmake(t, 'joinOrCreate', { name: 'still ok' }, address)).status,
      200,
      'joins have their own allowance',
    );
  });
});

describe('join options from clients', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ LOG_LEVEL: 'error', JOIN_RATE_LIMIT: '0' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('answers 400 (never 5xx) to deep, bulky, prototype-keyed or server-only options, and logs no error for them', async () => {
    const written: string[] = [];
    const stdout = process.stdout.write.bind(process.stdout);
    const stderr = process.stderr.write.bind(process.stderr);
    const capture = (chunk: string | Uint8Array): boolean => {
      const text = String(chunk);
      // The test runner reports over stdout too (binary frames): keep only what the server printed.
      if (text.charCodeAt(0) < 0x80) written.push(text);
      else stdout(chunk);
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      // As deep as fits the 16 KiB body limit: arrays 5,000 deep, objects 2,000 deep.
      const cases: Array<[string, unknown, RegExp]> = [
        ['joinOrCreate', `{"name":"deep","x":${'['.repeat(5000)}${']'.repeat(5000)}}`, /nest deeper than 4/u],
        ['joinById', `{"name":"deep","x":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`, /nest deeper than 4/u],
        [
          'create',
          Object.fromEntries([['name', 'bulky'], ...Array.from({ length: 40 }, (_, i) => [`k${i}`, i])]),
          /more than 32 entries/u,
        ],
        ['create', '{"name":"proto","__proto__":{"maxPlayers":1000}}', /"__proto__" is not an option name/u],
        ['create', { name: 'sneaky', handoffKey: 'arena:handoff:1234' }, /handoffKey is not a join option/u],
        ['joinOrCreate', { name: 'sneaky', handoff: true }, /handoff is not a join option/u],
      ];
      for (let round = 0; round < 3; round++) {
        for (const [method, body, message] of cases) {
          const answer = await matchmake(t, method, body);
          assert.equal(
            answer.status,
            400,
            `${method} ${String(body).slice(0, 60)} → ${answer.status} ${JSON.stringify(answer.json)}`,
          );
          assert.match(String(answer.json.error), message);
        }
      }
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
    assert.deepEqual(written, [], 'nothing was logged at error level');
    assert.equal((await matchMaker.query({ name: 'arena' })).length, 0, 'no room was made');
  });
});

describe('seat reservations nobody uses (squatting)', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ MAX_PLAYERS: '3', JOIN_RATE_LIMIT: '0' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('a room "full" of unused reservations still lets a friend in, and only real players fill it', async () => {
    const host = new Client(t.url);
    const first = await host.create<ArenaState>('arena', { name: 'host' });
    const rooms: Array<Room<unknown, ArenaState>> = [first];
    try {
      // The squatter takes both free seats by joinById and never connects: the room is full and locked.
      const squats = await Promise.all(
        [0, 1].map((i) => matchmake(t, 'joinById', { name: `squat${i}` }, undefined, first.roomId)),
      );
      assert.deepEqual(
        squats.map((s) => s.status),
        [200, 200],
      );
      await waitFor(
        async () => (await matchMaker.getRoomById(first.roomId))?.locked === true,
        'fresh reservations to fill the room',
      );
      // Unused, they stop counting well before they expire: the room opens to someone who will connect.
      await waitFor(
        async () => (await matchMaker.getRoomById(first.roomId))?.locked === false,
        'the room to unlock',
        6000,
        100,
      );
      const friend = await new Client(t.url).joinById<ArenaState>(first.roomId, { name: 'friend' });
      rooms.push(friend);
      const another = await new Client(t.url).joinOrCreate<ArenaState>('arena', { name: 'third' });
      rooms.push(another);
      assert.equal(another.roomId, first.roomId, 'Quick Play sends a newcomer to the room, not elsewhere');
      await waitFor(() => first.state.players?.size === 3, 'all three players in the room');

      // Real players fill it: it is locked, and a squatter's seat, still valid, cannot push a fourth player in.
      await waitFor(async () => (await matchMaker.getRoomById(first.roomId))?.locked === true, 'the full room to lock');
      const late = squats[0]!.json as { sessionId: string; roomId: string; name: string; processId: string };
      await assert.rejects(new Client(t.url).consumeSeatReservation({ ...late, name: 'arena' } as never));
      const fourth = await matchmake(t, 'joinById', { name: 'fourth' }, undefined, first.roomId);
      assert.ok(fourth.status >= 400 && fourth.status < 500, `joinById on a full room → ${fourth.status}`);
      assert.equal(first.state.players.size, 3);

      // Someone leaves: the room opens again.
      await rooms.pop()!.leave();
      await waitFor(async () => (await matchMaker.getRoomById(first.roomId))?.locked === false, 'the room to unlock');
    } finally {
      for (const room of rooms) await room.leave().catch(() => undefined);
    }
  });

  it('a burst of Quick Play joins spreads over rooms instead of overbooking one', async () => {
    const clients = Array.from({ length: 9 }, () => new Client(t.url));
    const joined = await Promise.all(clients.map((c, i) => c.joinOrCreate<ArenaState>('arena', { name: `burst${i}` })));
    try {
      const perRoom = new Map<string, number>();
      for (const r of joined) perRoom.set(r.roomId, (perRoom.get(r.roomId) ?? 0) + 1);
      for (const [roomId, n] of perRoom) assert.ok(n <= 3, `room ${roomId} got ${n} players`);
      assert.ok(perRoom.size >= 3);
    } finally {
      for (const r of joined) await r.leave().catch(() => undefined);
    }
  });
});
