/**
 * The lobby under abuse, on the real app: repeat chat offenders are cut off
 * like in the arena, one client address holds a bounded number of lobby
 * sessions, and look-alike names are told apart in the arena's scoreboard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matchMaker } from '@colyseus/core';
import { Client, type Room } from '@colyseus/sdk';
import WebSocket from 'ws';
import { ArenaCloseCode, ClientMessage } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

describe('lobby limits', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ MAX_LOBBY_SESSIONS_PER_ADDRESS: '2', JOIN_RATE_LIMIT: '0' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('disconnects a repeat chat offender with 4400, and keeps the others', async () => {
    const offender = await new Client(t.url).joinOrCreate('lobby', { name: 'spammer' });
    const bystander = await new Client(t.url).joinOrCreate('lobby', { name: 'reader' });
    for (const room of [offender, bystander])
      for (const type of ['rooms', 'chat', 'notice']) room.onMessage(type, () => undefined);
    let closeCode: number | undefined;
    offender.onLeave((code) => {
      closeCode = code;
    });
    for (let i = 0; i < 200 && closeCode === undefined; i++) {
      offender.send(ClientMessage.Chat, { text: i % 2 === 0 ? '' : `spam ${i}` });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(() => closeCode !== undefined, 'the offender to be disconnected');
    assert.equal(closeCode, ArenaCloseCode.Misbehaviour);
    assert.equal(bystander.connection.isOpen, true, 'the bystander is still in');
    await bystander.leave();
  });

  it('holds at most MAX_LOBBY_SESSIONS_PER_ADDRESS sessions per client address', async () => {
    const join = async (address: string): Promise<{ ws: WebSocket; sessionId: string; roomId: string }> => {
      const res = await fetch(`${t.url}/matchmake/joinOrCreate/lobby`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ name: 'lurker' }),
      });
      assert.equal(res.status, 200);
      const seat = (await res.json()) as { sessionId: string; roomId: string; processId: string };
      const ws = new WebSocket(
        `ws://127.0.0.1:${t.port}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`,
        { headers: { 'x-forwarded-for': address } },
      );
      ws.on('error', () => undefined);
      await new Promise((resolve) => ws.once('open', resolve));
      return { ws, ...seat };
    };
    const sessions = [await join('203.0.113.20'), await join('203.0.113.20')];
    const lobby = matchMaker.getLocalRoomById(sessions[0]!.roomId)!;
    const has = (sessionId: string): boolean => lobby.clients.some((c) => c.sessionId === sessionId);
    await waitFor(() => sessions.every((s) => has(s.sessionId)), 'two sessions in the lobby');
    const third = await join('203.0.113.20');
    await new Promise((resolve) => third.ws.once('close', resolve));
    assert.equal(has(third.sessionId), false, 'a third session from the address is refused');
    const other = await join('203.0.113.21');
    await waitFor(() => has(other.sessionId), 'another address is let in');
    sessions[0]!.ws.close();
    await waitFor(() => !has(sessions[0]!.sessionId), 'a session to leave');
    const again = await join('203.0.113.20');
    await waitFor(() => has(again.sessionId), 'a freed place is taken again');
    for (const s of [sessions[1]!, other, again]) s.ws.close();
  });
});

describe('look-alike names in one room', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ JOIN_RATE_LIMIT: '0' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('numbers a player whose name looks like one already in the room', async () => {
    const first = await new Client(t.url).create<ArenaState>('arena', { name: 'Bob' });
    const rooms: Array<Room<unknown, ArenaState>> = [first];
    try {
      for (const name of ['Ｂｏｂ', '\u0412\u043eb', 'B0B'])
        rooms.push(await new Client(t.url).joinById<ArenaState>(first.roomId, { name }));
      await waitFor(() => first.state.players?.size === 4, 'four players');
      const names = [...first.state.players.values()].map((p) => p.name).sort();
      assert.deepEqual(names, ['B0B 4', 'Bob', 'Bob 2', '\u0412\u043eb 3'].sort());
    } finally {
      for (const r of rooms) await r.leave().catch(() => undefined);
    }
  });
});
