/**
 * Spectators end to end on the real app: seats from `POST /spectate/<roomId>`,
 * real SDK clients over WebSocket. A spectator gets the match but no player,
 * has its own cap, never fills a player seat (Quick Play still fills the
 * room), cannot play by sending inputs, steps in when a seat is free (and is
 * told why not when none is), and stays a spectator through a reconnection.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { matchMaker, type Client as ServerClient } from '@colyseus/core';
import { MatchMakeError, type Room } from '@colyseus/sdk';
import type { PlayerInput } from '../../shared/input.ts';
import { ArenaCloseCode, type ArenaMetadata, type ChatBroadcast, type Notice } from '../../shared/messages.ts';
import { SpectateMessage, type SpectatorSeat, type StepInResult } from '../../shared/spectate.ts';
import type { ArenaState } from '../../shared/state.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { followHandoffs } from '../../netcode/handoff.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

type ArenaClient = Room<ArenaRoom, ArenaState>;

const MAX_PLAYERS = 2;
const MAX_SPECTATORS = 2;

describe('spectators', () => {
  let t: TestApp;
  const clients: ArenaClient[] = [];

  before(async () => {
    t = await bootTestApp({ MAX_PLAYERS: String(MAX_PLAYERS), MAX_SPECTATORS: String(MAX_SPECTATORS) });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => (c.connection.isOpen ? c.leave() : undefined)));
    await waitFor(async () => (await matchMaker.query({ name: 'arena' })).length === 0, 'every arena room disposed');
  });

  after(async () => {
    await t.colyseus.shutdown();
  });

  const server = (roomId: string) => t.colyseus.getRoomById<ArenaRoom>(roomId);

  async function player(join: Promise<ArenaClient>): Promise<ArenaClient> {
    const room = await join;
    clients.push(room);
    await waitFor(() => room.state.players?.get(room.sessionId) !== undefined, 'own player in the state');
    return room;
  }

  /** `POST /spectate/<roomId>`: the HTTP status and body. */
  async function requestSeat(
    roomId: string,
  ): Promise<{ status: number; body: Partial<SpectatorSeat> & { error?: string } }> {
    const res = await fetch(`${t.url}/spectate/${roomId}`, { method: 'POST' });
    return { status: res.status, body: (await res.json()) as Partial<SpectatorSeat> & { error?: string } };
  }

  async function spectate(roomId: string): Promise<ArenaClient> {
    const { status, body } = await requestSeat(roomId);
    assert.equal(status, 200, `spectator seat refused: ${body.error}`);
    const room = (await t.colyseus.sdk.consumeSeatReservation(body as never)) as ArenaClient;
    clients.push(room);
    await waitFor(() => room.state.players !== undefined, 'the match state');
    return room;
  }

  const metadata = async (roomId: string): Promise<ArenaMetadata> =>
    (await matchMaker.driver.findOne({ roomId })).metadata as ArenaMetadata;

  it('gets the match and sees players move, with no player of its own and no player seat taken', async () => {
    const alice = await player(t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Alice' }));
    const watcher = await spectate(alice.roomId);
    await waitFor(() => watcher.state.players.get(alice.sessionId)?.name === 'Alice', 'the spectator sees Alice');
    assert.equal(watcher.state.players.has(watcher.sessionId), false, 'no player for the spectator');
    assert.equal(watcher.state.players.size, 1);

    const x0 = watcher.state.players.get(alice.sessionId)!.x;
    const input = alice.input<PlayerInput>();
    for (let i = 0; i < 6; i++) {
      input.data.moveX = x0 > 800 ? -1 : 1;
      input.data.moveY = 0;
      input.send();
    }
    await waitFor(() => watcher.state.players.get(alice.sessionId)!.x !== x0, 'the spectator sees Alice move');

    await waitFor(async () => (await metadata(alice.roomId)).spectators === 1, 'the listing counts the spectator');
    const meta = await metadata(alice.roomId);
    assert.deepEqual(
      { players: meta.players, maxPlayers: meta.maxPlayers, maxSpectators: meta.maxSpectators },
      { players: 1, maxPlayers: MAX_PLAYERS, maxSpectators: MAX_SPECTATORS },
    );
    assert.equal(server(alice.roomId).playerSeatsTaken(), 1, 'the spectator takes no player seat');

    const heard: ChatBroadcast[] = [];
    alice.onMessage('chat', (m: ChatBroadcast) => heard.push(m));
    watcher.send('chat', { text: 'nice shot' });
    await waitFor(() => heard.length === 1, 'the spectator’s chat line');
    assert.deepEqual(heard[0], { fromId: watcher.sessionId, name: 'Spectator', text: 'nice shot' });
  });

  it('watches a room whose player seats are full, within its own cap; Quick Play goes elsewhere', async () => {
    const alice = await player(t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Alice' }));
    await player(t.colyseus.sdk.joinById<ArenaRoom>(alice.roomId, { name: 'Bob' }));
    await waitFor(() => server(alice.roomId).locked, 'the full room locked for players');
    for (let i = 0; i < MAX_SPECTATORS; i++) await spectate(alice.roomId);

    const refused = await requestSeat(alice.roomId);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error, `all ${MAX_SPECTATORS} spectator seats of this room are taken`);
    assert.equal(server(alice.roomId).clients.length, MAX_PLAYERS + MAX_SPECTATORS);

    const carol = await player(t.colyseus.sdk.joinOrCreate<ArenaRoom>('arena', { name: 'Carol' }));
    assert.notEqual(carol.roomId, alice.roomId, 'Quick Play does not put a third player in a full room');
    assert.equal((await requestSeat('nosuchroom')).status, 404);
  });

  it('does not keep Quick Play from filling the room', async () => {
    const alice = await player(t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Alice' }));
    await spectate(alice.roomId);
    await spectate(alice.roomId);
    assert.equal(server(alice.roomId).locked, false, 'spectators do not lock the room');
    const bob = await player(t.colyseus.sdk.joinOrCreate<ArenaRoom>('arena', { name: 'Bob' }));
    assert.equal(bob.roomId, alice.roomId, 'Quick Play fills the free player seat');
    await waitFor(() => server(alice.roomId).locked, 'full of players now');
  });

  it('refuses spectate as a matchmaking option', async () => {
    const alice = await player(t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Alice' }));
    await assert.rejects(
      t.colyseus.sdk.joinById(alice.roomId, { name: 'Mallory', spectate: true } as never),
      (error: unknown) => error instanceof MatchMakeError && error.code === 400 && /spectate/u.test(error.message),
    );
    assert.equal(server(alice.roomId).clients.length, 1);
  });

  it("refuses a spectator's inputs like hostile input, and cuts it off when it keeps sending", async () => {
    const alice = await player(t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Alice' }));
    const watcher = await spectate(alice.roomId);
    const notices: Notice[] = [];
    watcher.onMessage('notice', (n: Notice) => notices.push(n));
    const closed = new Promise<number>((resolve) => watcher.onLeave((code) => resolve(code)));
    const input = watcher.input<PlayerInput>();
    input.data.moveX = 1;
    input.send();
    await waitFor(() => notices.length === 1, 'a notice for the input');
    assert.deepEqual(notices[0], { code: 'bad_input', message: 'spectators send no inputs; step in to play' });
    assert.equal(server(alice.roomId).state.players.has(watcher.sessionId), false, 'the input made no player');
    // Half a strike each (like an out-of-range input): 16 in 10 s cut the client off.
    for (let i = 0; i < 20; i++) input.send();
    assert.equal(await closed, ArenaCloseCode.Misbehaviour);
    assert.ok(alice.connection.isOpen, 'the player plays on');
    const x0 = alice.state.players.get(alice.sessionId)!.x;
    const mine = alice.input<PlayerInput>();
    for (let i = 0; i < 4; i++) {
      mine.data.moveX = x0 > 800 ? -1 : 1;
      mine.send();
    }
    await waitFor(() => alice.state.players.get(alice.sessionId)!.x !== x0, 'the room still runs');
  });

  it('steps in when a seat is free, and is told why not when none is', async () => {
    const alice = await player(t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Alice' }));
    const first = await spectate(alice.roomId);
    const second = await spectate(alice.roomId);
    const answers = (room: ArenaClient): StepInResult[] => {
      const got: StepInResult[] = [];
      room.onMessage(SpectateMessage.StepInResult, (r: StepInResult) => got.push(r));
      return got;
    };
    const firstAnswers = answers(first);
    const secondAnswers = answers(second);

    first.send(SpectateMessage.StepIn, { name: 'alice' });
    await waitFor(() => firstAnswers.length === 1, 'the step-in answer');
    // A look-alike of a name in the room gets a number, as on any join.
    assert.deepEqual(firstAnswers[0], { ok: true, name: 'alice 2' });
    await waitFor(() => first.state.players.get(first.sessionId)?.name === 'alice 2', 'its player in the state');
    await waitFor(() => server(alice.roomId).locked, 'the room is full of players now');
    await waitFor(async () => (await metadata(alice.roomId)).players === 2, 'the listing counts the new player');

    // Its inputs now move it.
    const input = first.input<PlayerInput>();
    const x0 = first.state.players.get(first.sessionId)!.x;
    for (let i = 0; i < 4; i++) {
      input.data.moveX = x0 > 800 ? -1 : 1;
      input.send();
    }
    await waitFor(() => first.state.players.get(first.sessionId)!.x !== x0, 'the stepped-in player moves');

    second.send(SpectateMessage.StepIn, { name: 'Carol' });
    await waitFor(() => secondAnswers.length === 1, 'the refusal');
    assert.deepEqual(secondAnswers[0], {
      ok: false,
      reason: `the room is full (${MAX_PLAYERS} players); step in when a seat frees up`,
    });
    assert.equal(second.state.players.has(second.sessionId), false);

    // A seat frees up: now it may.
    await alice.leave();
    await waitFor(() => !server(first.roomId).locked, 'a player seat free again');
    second.send(SpectateMessage.StepIn, { name: 'Carol' });
    await waitFor(() => secondAnswers.length === 2, 'the second answer');
    assert.deepEqual(secondAnswers[1], { ok: true, name: 'Carol' });
  });

  it('stays a spectator through a reconnection', async () => {
    const alice = await player(t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Alice' }));
    const watcher = await spectate(alice.roomId);
    watcher.reconnection.minUptime = 0;
    let reconnected = false;
    watcher.onReconnect(() => (reconnected = true));
    const socket = server(alice.roomId).clients.getById(watcher.sessionId) as ServerClient & {
      ref: { terminate(): void };
    };
    socket.ref.terminate();
    await waitFor(() => reconnected && watcher.connection.isOpen, 'the spectator reconnected', 10_000);
    const room = server(alice.roomId);
    assert.ok(room.spectators.has(watcher.sessionId), 'still a spectator');
    assert.equal(room.state.players.has(watcher.sessionId), false, 'still no player');
    assert.equal(room.playerSeatsTaken(), 1);
    // And still refused as a player: its inputs earn a notice.
    const notices: Notice[] = [];
    watcher.onMessage('notice', (n: Notice) => notices.push(n));
    watcher.input<PlayerInput>().send();
    await waitFor(() => notices.some((n) => n.code === 'bad_input'), 'inputs still refused');
  });

  it('moves with the match in a hand-off, still a spectator', async () => {
    const alice = await player(t.colyseus.sdk.create<ArenaRoom>('arena', { name: 'Alice' }));
    const watcher = await spectate(alice.roomId);
    const moved = (room: ArenaClient): Promise<ArenaClient> =>
      new Promise((resolve) =>
        followHandoffs(t.colyseus.sdk, room, {
          onMoved: (next) => {
            clients.push(next);
            resolve(next);
          },
        }),
      );
    const aliceMoved = moved(alice);
    const watcherMoved = moved(watcher);
    const result = await server(alice.roomId).handOff();
    assert.equal(result.seats, 2, 'a seat for the player and one for the spectator');
    const [alice2, watcher2] = await Promise.all([aliceMoved, watcherMoved]);
    assert.equal(watcher2.roomId, result.toRoomId);
    assert.equal(watcher2.sessionId, watcher.sessionId, 'same session');
    const next = server(result.toRoomId);
    await waitFor(() => next.clients.length === 2, 'both in the continuation room');
    assert.ok(next.spectators.has(watcher.sessionId), 'a spectator there too');
    assert.equal(next.state.players.has(watcher.sessionId), false);
    assert.equal(next.playerSeatsTaken(), 1);
    await waitFor(() => watcher2.state.players?.get(alice2.sessionId)?.name === 'Alice', 'it watches Alice there');
    await waitFor(() => !next.locked, 'the continuation room opens to players once everyone arrived');
  });
});
