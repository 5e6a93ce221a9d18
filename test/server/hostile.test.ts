/**
 * Hostile input at every edge, against the real app: each kind of bad client
 * is disconnected with a clear close code and leaves no seat behind, while an
 * honest player in the same room keeps playing; bad HTTP requests get 4xx
 * with a JSON reason, never 5xx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, CloseCode, type Room } from '@colyseus/sdk';
import { ArenaCloseCode } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import { MAX_BODY_BYTES } from '../../server/httpGuard.ts';
import { MAX_STRIKES } from '../../server/rooms/misbehaviour.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { sleep, waitFor } from '../helpers/net.ts';

type Arena = Room<unknown, ArenaState>;

/** Protocol codes of Colyseus's wire format (first byte of a frame). */
const ROOM_DATA = 13;

describe('hostile clients', () => {
  let t: TestApp;
  let honest: Arena;
  const patchesOf = new Map<Arena, number>();

  before(async () => {
    t = await bootTestApp({ ROUND_DURATION_MS: '600000' });
    honest = await join('Honest');
  });

  after(async () => {
    honest.reconnection.enabled = false;
    await honest.leave().catch(() => undefined);
    await t.colyseus.shutdown();
  });

  async function join(name: string): Promise<Arena> {
    const room = await new Client(t.url).joinOrCreate<ArenaState>('arena', { name });
    room.reconnection.enabled = false;
    patchesOf.set(room, 0);
    room.onStateChange(() => patchesOf.set(room, patchesOf.get(room)! + 1));
    await waitFor(() => room.state.players?.has(room.sessionId) === true, `${name} sees itself`);
    return room;
  }

  /** Join a bad client into the honest player's room; resolves with how it was closed. */
  async function misbehave(name: string, act: (room: Arena) => void | Promise<void>): Promise<number> {
    const bad = await join(name);
    assert.equal(bad.roomId, honest.roomId, 'the bad client shares the honest player\'s room');
    await waitFor(() => honest.state.players.has(bad.sessionId), 'the honest player sees the bad one');
    const closed = new Promise<number>((resolve) => bad.onLeave((code) => resolve(code)));
    const before = patchesOf.get(honest)!;
    await act(bad);
    const code = await Promise.race([closed, sleep(5000).then(() => -1)]);
    // No ghost: the seat is not held for a reconnection.
    await waitFor(() => !honest.state.players.has(bad.sessionId), `${name} is gone from the honest player's room at once`, 1000);
    // The honest player never stopped receiving the game.
    await waitFor(() => patchesOf.get(honest)! > before + 10, 'the honest player keeps getting patches', 2000);
    assert.equal(honest.connection.isOpen, true, 'the honest player is still connected');
    return code;
  }

  const raw = (room: Arena, bytes: number[] | Uint8Array): void => (room as unknown as { connection: { send(d: Uint8Array): void } }).connection.send(new Uint8Array(bytes));

  it('cuts off a client that keeps sending unknown message types (4400)', async () => {
    const code = await misbehave('Unknown', (bad) => {
      for (let i = 0; i < MAX_STRIKES; i++) bad.send(`nonsense-${i}`, { x: i });
    });
    assert.equal(code, ArenaCloseCode.Misbehaviour);
  });

  it('cuts off a client that keeps sending malformed chat (4400)', async () => {
    const code = await misbehave('BadChat', (bad) => {
      const payloads: unknown[] = [42, 'text', null, { text: 7 }, { text: '\u0000\u0001' }, { text: 'x'.repeat(5000) }, [], { text: '' }];
      for (let i = 0; i < MAX_STRIKES; i++) bad.send('chat', payloads[i % payloads.length]);
    });
    assert.equal(code, ArenaCloseCode.Misbehaviour);
  });

  it('cuts off a client whose message cannot be decoded (WITH_ERROR)', async () => {
    // ROOM_DATA, type "chat", then a truncated MessagePack map.
    const code = await misbehave('Garbage', (bad) => raw(bad, [ROOM_DATA, 0xa4, 0x63, 0x68, 0x61, 0x74, 0x83, 0xa4]));
    assert.equal(code, CloseCode.WITH_ERROR);
  });

  it('cuts off a client flooding messages (WITH_ERROR)', async () => {
    const code = await misbehave('Flood', (bad) => {
      for (let i = 0; i < 400; i++) bad.ping(() => undefined);
    });
    assert.equal(code, CloseCode.WITH_ERROR);
  });

  it('cuts off a client sending an oversized frame (1009)', async () => {
    const code = await misbehave('Huge', (bad) => bad.send('chat', { text: 'x'.repeat(64 * 1024) }));
    assert.equal(code, 1009);
  });

  it('survives random frames of every protocol code without dropping the honest player', async () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const codes = await Promise.all(
      [0, 1, 2].map((k) =>
        misbehave(`Noise${k}`, async (bad) => {
          for (let i = 0; i < 200 && bad.connection.isOpen; i++) {
            const frame = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => Math.floor(rnd() * 256));
            frame[0] = [ROOM_DATA, 17, 19, 20, 21, 10, 16, 14][Math.floor(rnd() * 8)]! | (rnd() < 0.3 ? 0x80 : 0);
            raw(bad, frame);
            await sleep(5);
          }
          // A client whose noise happened to be harmless is still cut off by its strikes.
          for (let i = 0; i < MAX_STRIKES && bad.connection.isOpen; i++) bad.send('nonsense', i);
        }),
      ),
    );
    for (const code of codes) assert.ok([ArenaCloseCode.Misbehaviour, CloseCode.WITH_ERROR].includes(code as 4400), `closed with a clear code, got ${code}`);
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200, 'the server is alive');
  });
});

describe('hostile HTTP requests', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp();
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  const post = async (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const res = await fetch(`${t.url}${path}`, { method: 'POST', body, headers });
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text) as { error: string } };
  };

  const cases: Array<[string, string, string, number]> = [
    ['malformed JSON', '/matchmake/joinOrCreate/arena', '{bad', 400],
    ['an array of options', '/matchmake/joinOrCreate/arena', '[1,2]', 400],
    ['a number as the name', '/matchmake/joinOrCreate/arena', '{"name":5}', 400],
    ['a name with control characters', '/matchmake/joinOrCreate/arena', '{"name":"a\\u0000b"}', 400],
    ['an unknown room name', '/matchmake/joinOrCreate/nosuchroom', '{"name":"ok"}', 404],
    ['an unknown matchmaking method', '/matchmake/explode/arena', '{"name":"ok"}', 404],
    ['an unknown room id', '/matchmake/joinById/zzzzzzzz', '{"name":"ok"}', 404],
    ['a reconnection to nowhere', '/matchmake/reconnect/zzzzzzzz', '{"reconnectionToken":"x"}', 404],
    ['a body over the limit', '/matchmake/joinOrCreate/arena', JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) }), 413],
  ];
  for (const [what, path, body, status] of cases) {
    it(`answers ${status} with a JSON reason to ${what}`, async () => {
      const res = await post(path, body);
      assert.equal(res.status, status);
      assert.equal(typeof res.json.error, 'string');
      assert.ok(res.json.error.length > 0);
    });
  }

  it('refuses a body without a declared length (411)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${t.url}/matchmake/joinOrCreate/arena`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"name":');
      req.end('"ok"}');
    });
    assert.equal(status, 411);
  });
});
