/**
 * The least gap between two channel messages to one peer (`minMessageGapMs`,
 * env `EDGE_MIN_MESSAGE_GAP_MS`): client frames that reach the edge in
 * different event-loop turns, within the gap after the last message to the
 * owner, cross together when it is over; a new connection or a close is never
 * held and takes what waits with it. The owner here is a bare
 * in-memory carrier that records what crosses; the clients are real
 * WebSockets through a real HTTP server.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { MemoryHub } from '../../../server/cluster/edge/carrier.ts';
import { EdgeNode } from '../../../server/cluster/edge/edgeNode.ts';
import { decodeMessage, Op, type Operation } from '../../../server/cluster/edge/protocol.ts';
import { createLogger } from '../../../server/logger.ts';
import { waitFor } from '../../../harness/net.ts';

const log = createLogger('silent');

interface Rig {
  edge: EdgeNode;
  server: http.Server;
  url: string;
  /** Every channel message the owner received, decoded. */
  received: Operation[][];
  /** Server-side sockets, in accept order, to know when the edge has read a frame. */
  accepted: WebSocket[];
  clients: WebSocket[];
}

async function rig(minMessageGapMs: number): Promise<Rig> {
  const hub = new MemoryHub();
  const received: Operation[][] = [];
  hub.carrier('owner').onMessage((_peer, message) => received.push(decodeMessage(message)));
  const edge = new EdgeNode(hub.carrier('edge'), log, { minMessageGapMs });
  const accepted: WebSocket[] = [];
  edge.socketServer.on('connection', (ws: WebSocket) => accepted.push(ws));
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => edge.accept(req, socket, head, 'owner', '127.0.0.1'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/room?sessionId=x`;
  return { edge, server, url, received, accepted, clients: [] };
}

async function connect(r: Rig): Promise<WebSocket> {
  const ws = new WebSocket(r.url);
  r.clients.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Send `bytes` and resolve once the edge's own socket has read it (queued, not yet crossed). */
async function sendAndWaitRead(r: Rig, index: number, bytes: number[]): Promise<void> {
  const serverSide = r.accepted[index]!;
  const read = new Promise<void>((resolve) => serverSide.once('message', () => resolve()));
  r.clients[index]!.send(Buffer.from(bytes));
  await read;
}

async function teardown(r: Rig): Promise<void> {
  for (const ws of r.clients) ws.terminate();
  await r.edge.stop();
  r.server.closeAllConnections();
  r.server.close();
}

const ops = (r: Rig, op: number): Operation[] => r.received.flat().filter((o) => o.op === op);

describe('edge channel: least gap between messages to a peer', () => {
  describe('frames of two clients read in different turns', () => {
    let r: Rig;
    before(async () => {
      // Far longer than two local sends take, even on a busy machine.
      r = await rig(3000);
      await connect(r);
      await connect(r);
      await waitFor(() => ops(r, Op.OPEN).length === 2 && r.accepted.length === 2, 'both connections opened');
    });
    after(() => teardown(r));

    it('cross to the owner together, in one channel message, in the order the edge read them', async () => {
      const before = r.received.length;
      await sendAndWaitRead(r, 0, [13, 1]);
      await sendAndWaitRead(r, 1, [13, 2]);
      await waitFor(() => ops(r, Op.UP).length === 2, 'both frames crossed');
      const after = r.received.slice(before);
      assert.equal(after.length, 1, 'one channel message carries both frames');
      const ups = after[0]!.filter((o) => o.op === Op.UP);
      assert.deepEqual(
        ups.map((o) => (o.op === Op.UP ? [...o.bytes] : [])),
        [
          [13, 1],
          [13, 2],
        ],
      );
      assert.notEqual(
        ups[0]!.op === Op.UP && ups[1]!.op === Op.UP ? ups[0]!.conn : 0,
        ups[1]!.op === Op.UP ? ups[1]!.conn : 0,
        'each frame keeps its own connection id',
      );
    });
  });

  describe('a frame waiting in the window', () => {
    let r: Rig;
    before(async () => {
      // A window far longer than the test: only something else can send the frame.
      r = await rig(60_000);
      await connect(r);
      await waitFor(() => ops(r, Op.OPEN).length === 1 && r.accepted.length === 1, 'connection opened');
    });
    after(() => teardown(r));

    it('leaves with the next connection to open, not after the window', async () => {
      await sendAndWaitRead(r, 0, [13, 7]);
      assert.equal(ops(r, Op.UP).length, 0, 'the frame waits');
      await connect(r);
      await waitFor(() => ops(r, Op.OPEN).length === 2, 'second connection opened');
      const message = r.received.find((m) => m.some((o) => o.op === Op.OPEN) && m.some((o) => o.op === Op.UP));
      assert.ok(message, 'the waiting frame crossed in the same message as the new connection');
      assert.deepEqual(
        message.filter((o) => o.op === Op.UP || o.op === Op.OPEN).map((o) => o.op),
        [Op.UP, Op.OPEN],
        'in the order they were queued',
      );
    });

    it('leaves ahead of its own socket closing', async () => {
      await sendAndWaitRead(r, 0, [13, 8]);
      r.clients[0]!.close(1000);
      await waitFor(() => ops(r, Op.UP_CLOSE).length === 1, 'close crossed');
      const message = r.received.find((m) => m.some((o) => o.op === Op.UP_CLOSE))!;
      assert.deepEqual(
        message.filter((o) => o.op === Op.UP || o.op === Op.UP_CLOSE).map((o) => o.op),
        [Op.UP, Op.UP_CLOSE],
      );
    });
  });
});
