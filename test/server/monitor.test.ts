/**
 * The Colyseus monitor at /monitor/: absent without ADMIN_TOKEN, behind the
 * token (Bearer or Basic password) with it, listing the rooms that exist.
 * The listing across instances is tested in test/e2e/cluster-view.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Room } from '@colyseus/sdk';
import { adminAuthorized } from '../../server/ops/monitor.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';

const TOKEN = 'monitor-admin-token';
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('adminAuthorized', () => {
  it('takes the token as a bearer token or a Basic password, nothing else', () => {
    assert.ok(adminAuthorized(`Bearer ${TOKEN}`, TOKEN));
    assert.ok(adminAuthorized(basic('admin', TOKEN), TOKEN));
    assert.ok(adminAuthorized(basic('', TOKEN), TOKEN));
    assert.ok(!adminAuthorized(undefined, TOKEN));
    assert.ok(!adminAuthorized(`Bearer ${TOKEN}x`, TOKEN));
    assert.ok(!adminAuthorized(basic(TOKEN, 'wrong'), TOKEN), 'the token as user name is not enough');
    assert.ok(!adminAuthorized(`Basic ${Buffer.from(TOKEN).toString('base64')}`, TOKEN), 'no colon, no password');
    assert.ok(!adminAuthorized(TOKEN, TOKEN));
    assert.ok(!adminAuthorized(`Bearer ${'x'.repeat(2000)}`, TOKEN));
  });
});

describe('GET /monitor without ADMIN_TOKEN', () => {
  it('does not exist', async () => {
    const t = await bootTestApp();
    try {
      for (const path of ['/monitor/', '/monitor/api', '/monitor/api/room?roomId=x']) {
        const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        await res.arrayBuffer();
        assert.equal(res.status, 404, path);
      }
    } finally {
      await t.colyseus.shutdown();
    }
  });
});

describe('GET /monitor with ADMIN_TOKEN', () => {
  let t: TestApp;
  const rooms: Room[] = [];
  before(async () => {
    t = await bootTestApp({ ADMIN_TOKEN: TOKEN });
  });
  after(async () => {
    await Promise.all(rooms.map((r) => r.leave()));
    await t.colyseus.shutdown();
  });

  it('asks a browser for the token and refuses a wrong one', async () => {
    const res = await fetch(`${t.url}/monitor/api`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/u);
    assert.equal(
      (await fetch(`${t.url}/monitor/`, { headers: { authorization: basic('admin', 'not-the-token') } })).status,
      401,
    );
  });

  it('serves the panel and lists the rooms with their players', async () => {
    const page = await fetch(`${t.url}/monitor/`, { headers: { authorization: basic('admin', TOKEN) } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/u);
    assert.match(await page.text(), /<html/iu);

    const alice = await t.colyseus.sdk.joinOrCreate<ArenaRoom>('arena', { name: 'Alice' });
    rooms.push(alice);
    const res = await fetch(`${t.url}/monitor/api`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      rooms: Array<{ roomId: string; name: string; clients: number }>;
      connections: number;
    };
    const arena = body.rooms.find((r) => r.roomId === alice.roomId);
    assert.ok(arena, 'the arena room is listed');
    assert.equal(arena.name, 'arena');
    assert.equal(arena.clients, 1);

    const inspect = await fetch(`${t.url}/monitor/api/room?roomId=${encodeURIComponent(alice.roomId)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(inspect.status, 200);
    const detail = (await inspect.json()) as { clients?: Array<{ sessionId: string }> };
    assert.deepEqual(
      detail.clients?.map((c) => c.sessionId),
      [alice.sessionId],
    );
  });
});
