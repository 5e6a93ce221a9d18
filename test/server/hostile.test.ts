/**
 * Over 300 lines on purpose: every hostile edge against one booted app, each a
 * short case; splitting would boot it again per file.
 *
 * Hostile input at every edge, against the real app in this process, with
 * real SDK clients and raw `ws` sockets speaking Colyseus's wire format. Each
 * kind of bad client is disconnected with the expected close code, logged
 * with its session id, and leaves no seat behind, while an honest player in
 * the same room keeps getting state and is not touched. Honest behaviour
 * that looks a little like abuse (chat over the rate limit, a reconnection
 * over a stale socket) is not punished. Bad HTTP requests get a 4xx with a
 * JSON reason, never a 5xx.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Protocol } from '@colyseus/core';
import { Client, CloseCode, type Room } from '@colyseus/sdk';
import WebSocket from 'ws';
import { CHAT_BURST, PLAYER_SPEED_PX_PER_S, TICK_RATE_HZ } from '../../shared/constants.ts';
import { ArenaCloseCode, type Notice } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import { MAX_BODY_BYTES } from '../../server/httpGuard.ts';
import { MAX_STRIKES, OFFENCE_WEIGHT } from '../../server/rooms/misbehaviour.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { sleep, waitFor } from '../../harness/net.ts';
import { seededRandom } from '../../shared/random.ts';
import { roundTrip, statePatches } from '../helpers/roomEvents.ts';

type Arena = Room<unknown, ArenaState>;
interface Closed {
  code: number;
  reason: string;
}
/** A connected bad client, SDK or raw: its session, raw frame sender and how it was closed. */
interface Bad {
  sessionId: string;
  raw(bytes: Uint8Array | string): void;
  closed: Promise<Closed>;
}

/** MessagePack fixstr (strings under 32 bytes), enough to name a message type by hand. */
const str = (s: string): number[] => [0xa0 | s.length, ...Buffer.from(s)];
const CHAT = str('chat');
/** How far a player may move in one tick (diagonal), in px. */
const STEP_PX = (PLAYER_SPEED_PX_PER_S / TICK_RATE_HZ) * Math.SQRT2;

/** Our JSON log lines (the app logs at warn here), kept instead of printed. */
const logs: Array<Record<string, unknown>> = [];
const stdoutWrite = process.stdout.write;
/** Console lines the server (in this process) printed while a case ran. */
const consoleLines: string[] = [];
const { warn, error } = console;

describe('hostile clients', () => {
  let t: TestApp;
  let honest: Arena;
  let patches = 0;

  before(async () => {
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' && chunk.startsWith('{"severity"'))
        return logs.push(JSON.parse(chunk) as Record<string, unknown>) > 0;
      return (stdoutWrite as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    }) as typeof process.stdout.write;
    console.warn = console.error = (...args: unknown[]) => void consoleLines.push(args.map(String).join(' '));
    t = await bootTestApp({ ROUND_DURATION_MS: '600000', RECONNECT_GRACE_S: '30', LOG_LEVEL: 'warn' });
    honest = await sdkJoin('Honest');
    honest.onStateChange(() => (patches += 1));
  });

  after(async () => {
    honest.reconnection.enabled = false;
    await honest.leave().catch(() => undefined);
    await t.colyseus.shutdown();
    process.stdout.write = stdoutWrite;
    Object.assign(console, { warn, error });
  });

  async function sdkJoin(name: string): Promise<Arena> {
    const room = await new Client(t.url).joinOrCreate<ArenaState>('arena', { name });
    room.reconnection.enabled = false;
    room.onMessage('*', () => undefined);
    await waitFor(() => room.state.players?.has(room.sessionId) === true, `${name} sees itself`);
    return room;
  }

  async function sdkBad(name: string): Promise<Bad & { room: Arena }> {
    const room = await sdkJoin(name);
    assert.equal(room.roomId, honest.roomId, "the bad client shares the honest player's room");
    await waitFor(() => honest.state.players.has(room.sessionId), `the honest player sees ${name}`);
    const closed = new Promise<Closed>((resolve) =>
      room.onLeave((code, reason) => resolve({ code, reason: reason ?? '' })),
    );
    // A text frame is one of the wrong shapes sent on purpose; the SDK's types allow only bytes.
    const raw = (bytes: Uint8Array | string): void => Reflect.apply(room.connection.send, room.connection, [bytes]);
    return { room, sessionId: room.sessionId, closed, raw };
  }

  /** Join through HTTP matchmaking, then speak the protocol by hand over `ws`. */
  async function rawBad(): Promise<Bad> {
    const res = await fetch(`${t.url}/matchmake/joinById/${honest.roomId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Raw' }),
    });
    const seat = (await res.json()) as { sessionId: string; roomId: string; processId: string };
    const ws = new WebSocket(`ws://localhost:${t.port}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`);
    ws.on('error', () => undefined); // a server close mid-send can surface here too
    const closed = new Promise<Closed>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise<void>((resolve) => ws.once('message', () => resolve())); // JOIN_ROOM, with the handshake
    ws.send(Uint8Array.of(Protocol.JOIN_ROOM));
    await waitFor(() => honest.state.players.has(seat.sessionId), 'the honest player sees the raw client');
    return { sessionId: seat.sessionId, closed, raw: (bytes) => ws.send(bytes) };
  }

  const honestView = () => {
    const p = honest.state.players.get(honest.sessionId)!;
    return { x: p.x, y: p.y, hp: p.hp, alive: p.alive, score: p.score };
  };

  /** Let `bad` misbehave; check it is cut off as `expected` and nobody else notices. */
  async function expectCut(bad: Bad, act: () => unknown, expected: { code: number; reason?: RegExp }): Promise<void> {
    const before = honestView();
    const patchesBefore = patches;
    await act();
    const closed = await Promise.race([bad.closed, sleep(5000).then(() => undefined)]);
    assert.ok(closed, 'the bad client was disconnected');
    assert.equal(closed.code, expected.code, `close code (reason "${closed.reason}")`);
    if (expected.reason) assert.match(closed.reason, expected.reason);
    await waitFor(() => !honest.state.players.has(bad.sessionId), 'its player to be gone at once (no seat held)', 1000);
    await waitFor(() => patches > patchesBefore + 10, 'the honest player to keep getting patches', 2000);
    assert.equal(honest.connection.isOpen, true, 'the honest player is still connected');
    assert.deepEqual(honestView(), before, 'the honest player is untouched');
    assert.ok(
      logs.some((l) => l.severity === 'WARNING' && l.sessionId === bad.sessionId),
      'a warning names the session that was cut off',
    );
  }

  const misbehaviour = (reason: RegExp) => ({ code: ArenaCloseCode.Misbehaviour, reason });

  it('cuts off a client that keeps sending unknown message types (4400)', async () => {
    const bad = await sdkBad('Unknown');
    await expectCut(
      bad,
      () => {
        for (let i = 0; i < MAX_STRIKES; i++) bad.room.send(`nonsense-${i}`, { x: i });
      },
      misbehaviour(/^bad_message: unknown message type/),
    );
  });

  it('cuts off a client that keeps sending invalid chat (4400)', async () => {
    const bad = await sdkBad('BadChat');
    const payloads: unknown[] = [
      42,
      'text',
      null,
      { text: 7 },
      { text: '\u0000\u0001\u202e' },
      { text: 'x'.repeat(5000) },
      [],
      { text: ' ' },
    ];
    await expectCut(
      bad,
      () => {
        for (const p of payloads) bad.room.send('chat', p);
      },
      misbehaviour(/^chat_invalid: /),
    );
  });

  it('cuts off chat far beyond the rate limit (4400), not just over it', async () => {
    const bad = await sdkBad('Spammer');
    const refusalsToCut = MAX_STRIKES / OFFENCE_WEIGHT.chat_rate;
    await expectCut(
      bad,
      () => {
        for (let i = 0; i < CHAT_BURST + refusalsToCut; i++) bad.room.send('chat', { text: `buy gold ${i}` });
      },
      misbehaviour(/^chat_rate: /),
    );
  });

  it('cuts off a client sending inputs no controller produces (4400), which never move it faster', async () => {
    const bad = await sdkBad('Teleport');
    const track: Array<{ x: number; y: number }> = [];
    const record = () => {
      const p = honest.state.players.get(bad.sessionId);
      if (p) track.push({ x: p.x, y: p.y });
    };
    honest.onStateChange(record);
    // NaN, infinities and huge numbers: the SDK's int8 encoding turns them into 0; -129, 3.7 and 100 reach the server.
    const weird = [NaN, Infinity, -Infinity, 1e308, 2 ** 53, -129, 3.7, 100];
    const input = bad.room.input<Record<string, number>>();
    await expectCut(
      bad,
      async () => {
        for (let i = 0; i < 40 && bad.room.connection.isOpen; i++) {
          input.data.moveX = weird[i % weird.length]!;
          input.data.moveY = weird[(i + 3) % weird.length]!;
          input.data.aimRad = weird[(i + 5) % weird.length]!;
          input.send();
          await sleep(1000 / TICK_RATE_HZ);
        }
      },
      misbehaviour(/^bad_input: /),
    );
    honest.onStateChange.remove(record);
    assert.ok(track.length > 2, 'its player was seen moving');
    for (let i = 1; i < track.length; i++) {
      const step = Math.hypot(track[i]!.x - track[i - 1]!.x, track[i]!.y - track[i - 1]!.y);
      assert.ok(step <= 3 * STEP_PX, `moved ${step.toFixed(1)} px in one patch`);
    }
  });

  it('cuts off a client flooding frames (Colyseus: 4002) and logs it', async () => {
    const bad = await sdkBad('Flood');
    await expectCut(
      bad,
      () => {
        for (let i = 0; i < 400; i++) bad.room.ping(() => undefined);
      },
      { code: CloseCode.WITH_ERROR },
    );
    assert.ok(logs.some((l) => l.message === 'disconnected a flooding client' && l.sessionId === bad.sessionId));
  });

  it('cuts off a client sending a frame over the size limit (ws: 1009)', async () => {
    const bad = await sdkBad('Huge');
    await expectCut(bad, () => bad.room.send('chat', { text: 'x'.repeat(64 * 1024) }), { code: 1009 });
  });

  it('cuts off a client whose message payload does not decode (4400)', async () => {
    const bad = await rawBad();
    // ROOM_DATA, type "chat", then a MessagePack map of 3 cut short.
    await expectCut(
      bad,
      () => bad.raw(Uint8Array.of(Protocol.ROOM_DATA, ...CHAT, 0x83, 0xa4)),
      misbehaviour(/^bad_frame: message payload/),
    );
  });

  it('cuts off a client whose message payload nests deeper than the decoder can go (4400)', async () => {
    const bad = await rawBad();
    const nested = [...new Array<number>(14_000).fill(0x91), 0xc0]; // [[[[…[nil]…]]]]
    await expectCut(
      bad,
      () => bad.raw(Uint8Array.of(Protocol.ROOM_DATA, ...CHAT, ...nested)),
      misbehaviour(/^bad_frame: /),
    );
  });

  const notOurProtocol: Array<[string, Uint8Array | string]> = [
    ['an unknown protocol code', Uint8Array.of(5, 1, 2)],
    ['a server-only protocol code', Uint8Array.of(Protocol.ROOM_STATE, 1, 2)],
    ['an empty frame', new Uint8Array(0)],
    ['a text frame', 'hello'],
    ['a second JOIN_ROOM', Uint8Array.of(Protocol.JOIN_ROOM)],
  ];
  for (const [what, frame] of notOurProtocol) {
    it(`cuts off a client sending ${what} (4400)`, async () => {
      const bad = await rawBad();
      await expectCut(bad, () => bad.raw(frame), misbehaviour(/^bad_frame: /));
    });
  }

  it('cuts off a client sending malformed input frames (4400), keeping the schema decoder quiet', async () => {
    for (const frame of [
      Uint8Array.of(Protocol.ROOM_INPUT_RELIABLE, 0x23, 0x55, 0x99),
      Uint8Array.of(Protocol.ROOM_INPUT_UNRELIABLE, 5, 9, 0x23, 0x55),
    ]) {
      const bad = await rawBad();
      consoleLines.length = 0;
      await expectCut(bad, () => bad.raw(frame), misbehaviour(/^bad_frame: input/));
      assert.deepEqual(
        consoleLines.filter((l) => l.includes('@colyseus/schema')),
        [],
        'no decoder complaints reached the console',
      );
    }
  });

  it('answers requests (which this room handles none of) with an error, at no strike', async () => {
    const room = await sdkJoin('Asker');
    try {
      const answers = await Promise.allSettled(
        Array.from({ length: MAX_STRIKES * 2 }, (_, i) => room.request(`echo-${i}`)),
      );
      for (const [i, answer] of answers.entries()) {
        assert.equal(answer.status, 'rejected');
        assert.match(
          String((answer as PromiseRejectedResult).reason),
          new RegExp(`echo-${i}`),
          'each answer names its request',
        );
      }
      assert.ok(room.connection.isOpen, 'the asking client is still connected');
    } finally {
      await room.leave().catch(() => undefined);
    }
  });

  it('cuts off every client sending seeded random frames, and stays up', async () => {
    const rnd = seededRandom(7);
    const bads = await Promise.all([0, 1, 2].map(() => rawBad()));
    const codes = await Promise.all(
      bads.map(async (bad) => {
        let open = true;
        void bad.closed.then(() => (open = false));
        for (let i = 0; i < 50 && open; i++) {
          const frame = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => Math.floor(rnd() * 256));
          frame[0] = [Protocol.ROOM_DATA, 17, 19, 20, 21, 16, 14][Math.floor(rnd() * 7)]! | (rnd() < 0.3 ? 0x80 : 0);
          bad.raw(Uint8Array.from(frame));
          await sleep(5);
        }
        return (await Promise.race([bad.closed, sleep(3000).then(() => ({ code: -1, reason: 'still open' }))])).code;
      }),
    );
    for (const code of codes)
      assert.ok(
        [ArenaCloseCode.Misbehaviour, CloseCode.WITH_ERROR].includes(code as 4400),
        `closed with a clear code, got ${code}`,
      );
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200, 'the server is alive');
    assert.equal(honest.connection.isOpen, true);
  });

  it('keeps a client whose chat is only over the rate limit: notices, not the door', async () => {
    const chatty = await sdkBad('Chatty');
    const notices: Notice[] = [];
    chatty.room.onMessage('notice', (n: Notice) => notices.push(n));
    for (let i = 0; i < 30; i++) chatty.room.send('chat', { text: `gg ${i}` });
    await waitFor(() => notices.length === 30 - CHAT_BURST, 'a notice for every refused line');
    assert.ok(notices.every((n) => n.code === 'chat_rate'));
    // A ping answered means the server has handled every line before it; a cut-off would have closed the socket first.
    await roundTrip(chatty.room);
    assert.equal(chatty.room.connection.isOpen, true, 'still connected');
    await chatty.room.leave();
  });

  it('keeps a player reconnecting over its own stale socket, seat and all, and closes the old socket', async () => {
    const player = await sdkBad('Stale');
    const name = honest.state.players.get(player.sessionId)!.name;
    // The server still holds the old socket when the new one arrives (as after a network switch).
    for (let i = 0; i < 3; i++) {
      const stale = player.room;
      player.room = await new Client(t.url).reconnect<ArenaState>(stale.reconnectionToken);
      player.room.reconnection.enabled = false;
      assert.equal(player.room.sessionId, player.sessionId);
      // Colyseus alone would leave it open: a client could pile up sockets by reconnecting over itself.
      await waitFor(() => !stale.connection.isOpen, 'the replaced socket to be closed', 2000);
    }
    // Everything the reconnections set off has been handled once a ping comes back and the honest client has patched again.
    await roundTrip(player.room);
    await statePatches(honest, 2);
    assert.equal(honest.state.players.get(player.sessionId)?.name, name, 'the player is still in the room');
    assert.ok(
      !logs.some((l) => l.sessionId === player.sessionId && l.severity === 'WARNING'),
      'not treated as misbehaviour',
    );
    await player.room.leave();
  });
});

describe('hostile HTTP requests', () => {
  let t: TestApp;
  /** A live room, so reconnection requests get as far as reading their token. */
  let room: Room;
  before(async () => {
    t = await bootTestApp();
    room = await new Client(t.url).joinOrCreate('arena', { name: 'Host' });
    room.reconnection.enabled = false;
  });
  after(async () => {
    await room.leave().catch(() => undefined);
    await t.colyseus.shutdown();
  });

  const post = async (path: string, body: string, contentType = 'application/json') => {
    const res = await fetch(`${t.url}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text) as { error: string } };
  };

  const join = '/matchmake/joinOrCreate/arena';
  const cases: Array<[string, string, string, number, string?]> = [
    ['malformed JSON', join, '{bad', 400],
    ['null', join, 'null', 400],
    ['a string', join, '"bob"', 400],
    ['an array of options', join, '[1,2]', 400],
    ['a number as the name', join, '{"name":5}', 400],
    ['a name with control characters', join, '{"name":"a\\u0000b"}', 400],
    ['a hand-off key (a server-only option)', join, '{"name":"ok","handoffKey":"arena:handoff:x"}', 400],
    [
      'a multipart body',
      join,
      '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nok\r\n--x--',
      415,
      'multipart/form-data; boundary=x',
    ],
    ['a form body', join, 'name=ok', 415, 'application/x-www-form-urlencoded'],
    ['an unknown room name', '/matchmake/joinOrCreate/nosuchroom', '{"name":"ok"}', 404],
    ['an unknown matchmaking method', '/matchmake/explode/arena', '{"name":"ok"}', 404],
    ['an unknown room id', '/matchmake/joinById/zzzzzzzz', '{"name":"ok"}', 404],
    ['a reconnection to nowhere', '/matchmake/reconnect/zzzzzzzz', '{"reconnectionToken":"x"}', 404],
    // Colyseus reads the token unchecked: these were 503s, as if the server were at fault.
    ['a reconnection without a token', '/matchmake/reconnect/ROOM', '{}', 400],
    ['a reconnection with a non-string token', '/matchmake/reconnect/ROOM', '{"reconnectionToken":{"a":1}}', 400],
    ['null options to a reconnection', '/matchmake/reconnect/ROOM', 'null', 400],
    ['a body over the limit', join, JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) }), 413],
  ];
  for (const [what, path, body, status, contentType] of cases) {
    it(`answers ${status} with a JSON reason to ${what}`, async () => {
      const res = await post(path.replace('ROOM', room.roomId), body, contentType);
      assert.equal(res.status, status, res.json.error);
      assert.equal(typeof res.json.error, 'string');
      assert.ok(res.json.error.length > 0);
    });
  }

  it('refuses a body without a declared length (411)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${t.url}${join}`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('{"name":');
      req.end('"ok"}');
    });
    assert.equal(status, 411);
  });

  it('shrugs off a client that hangs up halfway through its body (no 500, no stack trace)', async () => {
    const printed: string[] = [];
    console.error = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    try {
      const socket = net.connect(t.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST ${join} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`,
      );
      await sleep(100);
      socket.destroy();
      await sleep(200);
    } finally {
      console.error = error;
    }
    assert.deepEqual(printed, []);
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
  });
});
