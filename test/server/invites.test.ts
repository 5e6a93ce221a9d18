/**
 * Private rooms on the real app: `POST /invites` makes an unlisted room that
 * Quick Play never fills, its code leads there from `GET /invites/<code>`
 * until the room closes, clients cannot make or steal codes through
 * matchmaking, and lookups are rate-limited per client address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matchMaker } from '@colyseus/core';
import { Client, type Room } from '@colyseus/sdk';
import { INVITE_CODE_LENGTH } from '../../shared/invite.ts';
import type { InviteCreated } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

async function http(
  t: TestApp,
  method: 'GET' | 'POST',
  path: string,
  address?: string,
): Promise<{ status: number; json: Record<string, unknown>; retryAfter: string | null }> {
  const headers: Record<string, string> = {};
  if (address !== undefined) headers['x-forwarded-for'] = address;
  if (method === 'POST') headers['content-length'] = '0';
  const res = await fetch(`${t.url}${path}`, { method, headers });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    retryAfter: res.headers.get('retry-after'),
  };
}

describe('private rooms and invite codes', () => {
  let t: TestApp;
  const rooms: Room[] = [];
  before(async () => {
    t = await bootTestApp({ INVITE_LOOKUP_RATE_LIMIT: '3' });
  });
  after(async () => {
    for (const room of rooms) await room.leave().catch(() => undefined);
    await t.colyseus.shutdown();
  });

  it('makes an unlisted room that Quick Play does not fill, reachable through its code', async () => {
    const made = await http(t, 'POST', '/invites');
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const { code, roomId } = made.json as Partial<InviteCreated> as InviteCreated;
    assert.equal(code.length, INVITE_CODE_LENGTH);

    const [listing] = await matchMaker.query({ roomId });
    assert.ok(listing, 'the room exists');
    assert.equal(listing.private, true, 'the room is private');
    assert.ok(
      !(await matchMaker.query({ name: 'arena', private: false })).some((r) => r.roomId === roomId),
      'not in public listings',
    );

    const found = await http(t, 'GET', `/invites/${code.toLowerCase()}`);
    assert.deepEqual([found.status, found.json], [200, { roomId }]);

    const client = new Client(t.url);
    const host = await client.joinById<ArenaState>(roomId, { name: 'Host' });
    rooms.push(host);
    const friend = await client.joinById<ArenaState>(roomId, { name: 'Friend' });
    rooms.push(friend);
    assert.equal(friend.roomId, roomId);

    const stranger = await client.joinOrCreate<ArenaState>('arena', { name: 'Stranger' });
    rooms.push(stranger);
    assert.notEqual(stranger.roomId, roomId, 'Quick Play made or found another room');

    // Everyone leaves: the room closes and the code leads nowhere.
    for (const room of [host, friend]) {
      rooms.splice(rooms.indexOf(room), 1);
      await room.leave();
    }
    await waitFor(
      async () => (await matchMaker.query({ roomId })).length === 0,
      'the private room to close',
      10_000,
      50,
    );
    await waitFor(
      async () => (await http(t, 'GET', `/invites/${code}`)).status === 404,
      'the code to expire with its room',
      5000,
      50,
    );
    const gone = await http(t, 'GET', `/invites/${code}`);
    assert.match(String(gone.json.error), /expired/u);
  });

  it('refuses a code passed through matchmaking (no client makes or takes over a code)', async () => {
    const client = new Client(t.url);
    await assert.rejects(
      client.create('arena', { name: 'Mallory', inviteCode: 'ABCDEFGHJKMNP' }),
      /inviteCode is not a join option/u,
    );
    await assert.rejects(
      client.joinOrCreate('arena', { name: 'Mallory', inviteCode: 'ABCDEFGHJKMNP' }),
      /inviteCode is not a join option/u,
    );
  });

  it('answers a malformed code 400 and an unknown one 404', async () => {
    const bad = await http(t, 'GET', '/invites/not-a-code!');
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.error), /invite code/u);
    const unknown = await http(t, 'GET', '/invites/ABCDEFGHJKMNP');
    assert.equal(unknown.status, 404);
  });

  it('rate-limits lookups per client address, so codes cannot be enumerated', async () => {
    const guesser = '203.0.113.9';
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await http(t, 'GET', `/invites/ABCDEFGHJKMN${i}`, guesser));
    assert.deepEqual(
      answers.map((a) => a.status),
      [404, 404, 404, 429, 429],
    );
    assert.ok(Number(answers[3]!.retryAfter) >= 1, 'a 429 says when to retry');
    assert.match(String(answers[3]!.json.error), /too many requests/u);
    // Another address is not held back by the guesser.
    assert.equal((await http(t, 'GET', '/invites/ABCDEFGHJKMNP', '198.51.100.20')).status, 404);
  });
});
