/**
 * The edge protocol end to end in one process, over the in-memory carrier:
 * the real app owns the rooms; an edge node with its own HTTP server holds
 * the players' sockets; real SDK clients play through it. Checks that the
 * room cannot tell an edge player from a local one (state, inputs, chat,
 * strikes and their close code, leaving), that a state patch for several
 * edge players crosses once, that the edge enforces frame limits before
 * anything crosses, and what happens when either side is lost.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Protocol } from '@colyseus/core';
import { Client, type Room } from '@colyseus/sdk';
import WebSocket from 'ws';
import { MemoryHub, type MemoryCarrier } from '../../../server/cluster/edge/carrier.ts';
import { EdgeNode } from '../../../server/cluster/edge/edgeNode.ts';
import { decodeMessage, Op } from '../../../server/cluster/edge/protocol.ts';
import { createLogger } from '../../../server/logger.ts';
import { MAX_STRIKES } from '../../../server/rooms/misbehaviour.ts';
import { ArenaCloseCode } from '../../../shared/messages.ts';
import type { ArenaState } from '../../../shared/state.ts';
import { bootTestApp, type TestApp } from '../../helpers/app.ts';
import { sleep, waitFor } from '../../../harness/net.ts';

type Arena = Room<unknown, ArenaState>;
interface Seat {
  name: string;
  sessionId: string;
  roomId: string;
  processId: string;
}

const log = createLogger('silent');

describe('edge node (in-memory carrier, real rooms)', () => {
  let t: TestApp;
  let hub: MemoryHub;
  let ownerCarrier: MemoryCarrier;
  let owner: EdgeNode;
  let edge: EdgeNode;
  let edgeServer: http.Server;
  let edgeUrl: string;
  const rooms: Arena[] = [];

  before(async () => {
    t = await bootTestApp({ ROUND_DURATION_MS: '600000', RECONNECT_GRACE_S: '5' });
    hub = new MemoryHub();
    ownerCarrier = hub.carrier('owner');
    owner = new EdgeNode(ownerCarrier, log);
    edge = new EdgeNode(hub.carrier('edge'), log, { maxFrameBytes: 1024, maxFramesPerSecond: 200 });
    edgeServer = http.createServer();
    edgeServer.on('upgrade', (req, socket, head) =>
      edge.accept(req, socket, head, 'owner', req.socket.remoteAddress ?? ''),
    );
    await new Promise<void>((resolve) => edgeServer.listen(0, '127.0.0.1', resolve));
    edgeUrl = `http://127.0.0.1:${(edgeServer.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const room of rooms) {
      room.reconnection.enabled = false;
      await Promise.race([room.leave().catch(() => undefined), sleep(1000)]);
    }
    await edge.stop();
    await owner.stop();
    edgeServer.closeAllConnections();
    edgeServer.close();
    await t.colyseus.shutdown();
  });

  /** A seat from the owner's matchmaking (HTTP), as any instance would hand out. */
  async function seat(name: string, roomId?: string): Promise<Seat> {
    const path = roomId ? `joinById/${roomId}` : 'joinOrCreate/arena';
    const res = await fetch(`${t.url}/matchmake/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Seat;
  }

  /** Take the seat through the edge's HTTP server, like a browser whose socket reached another instance. */
  async function joinThroughEdge(name: string, roomId?: string): Promise<Arena> {
    const room = await new Client(edgeUrl).consumeSeatReservation<ArenaState>((await seat(name, roomId)) as never);
    room.onMessage('*', () => undefined);
    rooms.push(room);
    await waitFor(() => room.state.players?.has(room.sessionId) === true, `${name} sees itself`);
    return room;
  }

  it('lets players through the edge play with a local player: state, inputs, chat', async () => {
    const local = await new Client(t.url).joinOrCreate<ArenaState>('arena', { name: 'Local' });
    rooms.push(local);
    local.onMessage('*', () => undefined);
    const a = await joinThroughEdge('EdgeA', local.roomId);
    const b = await joinThroughEdge('EdgeB', local.roomId);
    await waitFor(() => [local, a, b].every((r) => r.state.players?.size === 3), 'everyone sees three players');
    assert.equal(owner.stats.remoteClients, 2, 'the owner holds two remote clients');
    assert.equal(edge.stats.edgeSockets, 2, 'the edge holds two sockets');

    const x0 = local.state.players.get(a.sessionId)!.x;
    const input = a.input<{ moveX: number; moveY: number; aimRad: number; fire: boolean }>();
    for (let i = 0; i < 10; i++) {
      input.data.moveX = x0 > 400 ? -1 : 1;
      input.send();
    }
    await waitFor(() => local.state.players.get(a.sessionId)!.x !== x0, 'the local player sees the edge player move');

    const heard: string[] = [];
    local.onMessage('chat', (m: { text: string }) => heard.push(m.text));
    b.send('chat', { text: 'hello from the edge' });
    await waitFor(() => heard.includes('hello from the edge'), 'chat from an edge player reaches a local one');
  });

  it("sends a state patch for several edge players across once, with each client's own ack", async () => {
    const sent = ownerCarrier.sent.get('edge') ?? [];
    const ops = sent.slice(-30).flatMap((message) => decodeMessage(message));
    const timed = ops.filter((o) => o.op === Op.TIMED) as Array<{ conns: number[] }>;
    assert.ok(timed.length > 0, 'patches crossed as TIMED operations');
    assert.ok(
      timed.every((o) => o.conns.length === 2),
      'each carried both edge players',
    );
    assert.ok(owner.stats.fanoutOps > 0 && owner.stats.fanoutFrames >= 2 * owner.stats.fanoutOps);
  });

  it("cuts a misbehaving edge player with the room's close code, at the edge", async () => {
    const bad = await joinThroughEdge('Bad');
    const closed = new Promise<number>((resolve) => bad.onLeave((code) => resolve(code)));
    bad.reconnection.enabled = false;
    for (let i = 0; i < MAX_STRIKES; i++) bad.send('teleport', {});
    assert.equal(await closed, ArenaCloseCode.Misbehaviour);
  });

  it('enforces the frame size limit at the edge (1009) and the owner holds no seat for the sender', async () => {
    const s = await seat('Big');
    const ws = new WebSocket(`${edgeUrl.replace('http', 'ws')}/${s.processId}/${s.roomId}?sessionId=${s.sessionId}`);
    ws.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => ws.once('message', () => resolve())); // JOIN_ROOM
    const room = [...t.app.arenaRooms].find((r) => r.roomId === s.roomId)!;
    await waitFor(() => room.clients.some((c) => c.sessionId === s.sessionId), 'the owner seated the client');
    ws.send(Buffer.alloc(4096, 1));
    assert.equal(await closed, 1009);
    await waitFor(
      () => !room.clients.some((c) => c.sessionId === s.sessionId) && !room.state.players.has(s.sessionId),
      'the owner let the oversized sender go, seat and all',
    );
  });

  it('drops a client that stops reading once its send buffer passes the bound; its seat is held', async () => {
    const s = await seat('Sleepy', rooms[0]!.roomId);
    const ws = new WebSocket(`${edgeUrl.replace('http', 'ws')}/${s.processId}/${s.roomId}?sessionId=${s.sessionId}`);
    ws.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    await new Promise<void>((resolve) => ws.once('message', () => resolve())); // JOIN_ROOM
    ws.send(Uint8Array.of(Protocol.JOIN_ROOM)); // acknowledged, as the SDK does: a joined player
    const room = [...t.app.arenaRooms].find((r) => r.roomId === s.roomId)!;
    await waitFor(() => room.state.players.has(s.sessionId), 'the owner seated the client');
    ws.pause(); // the client stops reading; the kernel buffers fill, then the edge's
    const client = room.clients.find((c) => c.sessionId === s.sessionId)!;
    const socketsBefore = edge.stats.edgeSockets;
    // The room sends far more than the client reads (64 × 256 KiB).
    for (let i = 0; i < 64 && room.clients.includes(client); i++) {
      client.raw(Buffer.alloc(256 * 1024, 7));
      await sleep(5);
    }
    await waitFor(() => edge.stats.edgeSockets === socketsBefore - 1, 'the edge dropped the slow reader');
    await waitFor(() => !room.clients.some((c) => c.sessionId === s.sessionId), 'the owner saw it drop');
    assert.ok(room.state.players.has(s.sessionId), 'its seat is held for reconnection (a drop, not a kick)');
    ws.resume();
    await closed;
  });

  it('a player who leaves through the edge leaves the room', async () => {
    const leaver = await joinThroughEdge('Leaver');
    const watcher = rooms[0]!;
    await waitFor(() => watcher.state.players.has(leaver.sessionId), 'the local player sees the leaver');
    await leaver.leave(true);
    await waitFor(() => !watcher.state.players.has(leaver.sessionId), 'the leaver is gone from the room');
  });

  it('drops the players of a lost edge on the owner with their seats held; they come back directly', async () => {
    const edge2 = new EdgeNode(hub.carrier('edge2'), log);
    const server2 = http.createServer();
    server2.on('upgrade', (req, socket, head) =>
      edge2.accept(req, socket, head, 'owner', req.socket.remoteAddress ?? ''),
    );
    await new Promise<void>((resolve) => server2.listen(0, '127.0.0.1', resolve));
    try {
      const url2 = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;
      const stranded = await new Client(url2).consumeSeatReservation<ArenaState>(
        (await seat('Stranded', rooms[0]!.roomId)) as never,
      );
      stranded.reconnection.enabled = false;
      await waitFor(() => stranded.state.players?.has(stranded.sessionId) === true, 'Stranded sees itself');
      const room = [...t.app.arenaRooms].find((r) => r.roomId === stranded.roomId)!;
      const score = room.state.players.get(stranded.sessionId)!.score;
      hub.kill('edge2');
      await waitFor(
        () => !room.clients.some((c) => c.sessionId === stranded.sessionId),
        'the owner dropped the client of the lost edge',
      );
      assert.ok(room.state.players.has(stranded.sessionId), 'its player stays: the seat is held for reconnection');
      const back = await new Client(t.url).reconnect<ArenaState>(stranded.reconnectionToken);
      rooms.push(back);
      assert.equal(back.sessionId, stranded.sessionId);
      await waitFor(() => back.state.players?.get(back.sessionId)?.score === score, 'back in the same seat');
    } finally {
      await edge2.stop();
      server2.closeAllConnections();
      server2.close();
    }
  });

  it('lets a player reconnect at once when its edge went silent, retiring the stale socket', async () => {
    const edge3 = new EdgeNode(hub.carrier('edge3'), log);
    const server3 = http.createServer();
    server3.on('upgrade', (req, socket, head) =>
      edge3.accept(req, socket, head, 'owner', req.socket.remoteAddress ?? ''),
    );
    await new Promise<void>((resolve) => server3.listen(0, '127.0.0.1', resolve));
    try {
      const url3 = `http://127.0.0.1:${(server3.address() as AddressInfo).port}`;
      const silentSeat = await seat('Silent', rooms[0]!.roomId);
      const lost = await new Client(url3).consumeSeatReservation<ArenaState>(silentSeat as never);
      lost.reconnection.enabled = false;
      await waitFor(() => lost.state.players?.has(lost.sessionId) === true, 'Silent sees itself');
      const room = [...t.app.arenaRooms].find((r) => r.roomId === lost.roomId)!;
      // The edge vanishes without a word: the owner still counts the player connected.
      hub.partition('edge3');
      assert.ok(room.clients.some((c) => c.sessionId === lost.sessionId));
      // Its reconnection through another edge, straight on the WebSocket as the SDK's automatic
      // reconnection does (no matchmaking call that would close the stale client), must not wait
      // for the stale socket to time out: Colyseus would then refuse it.
      const token = lost.reconnectionToken.split(':')[1]!;
      const back = await new Client(edgeUrl).consumeSeatReservation<ArenaState>({
        ...silentSeat,
        reconnectionToken: token,
      } as never);
      rooms.push(back);
      assert.equal(back.sessionId, lost.sessionId);
      await waitFor(() => back.state.players?.has(back.sessionId) === true, 'back in its seat');
      assert.equal(
        room.clients.filter((c) => c.sessionId === lost.sessionId).length,
        1,
        'one client for the session, not two',
      );
    } finally {
      await edge3.stop();
      server3.closeAllConnections();
      server3.close();
    }
  });

  it("closes edge players with 4010 (retry) when their room's owner is lost", async () => {
    const orphan = await joinThroughEdge('Orphan');
    orphan.reconnection.enabled = false;
    const closed = new Promise<number>((resolve) => orphan.onLeave((code) => resolve(code)));
    hub.kill('owner');
    assert.equal(await closed, 4010);
    assert.equal(edge.stats.edgeSockets, 0, 'no socket left at the edge');
  });
});
