/**
 * Socket-level limits on the real app: sockets that send nothing (or trickle
 * a request head) are closed, and one client address holds a bounded number
 * of WebSockets. Verdicts are read from raw sockets and real WebSockets.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { REQUEST_HEAD_TIMEOUT_MS } from '../../server/limits/connectionGuard.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

/** Open a raw TCP connection; resolves with it and a promise of when the server closed it. */
function rawSocket(port: number): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    socket.resume(); // read what the server sends, so its close is seen
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

describe('socket limits', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ MAX_CONNECTIONS_PER_ADDRESS: '2', JOIN_RATE_LIMIT: '0', RECONNECT_RATE_LIMIT: '3' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('closes a socket that sends nothing, and one that trickles its request head', async () => {
    const silent = await rawSocket(t.port);
    const trickle = await rawSocket(t.port);
    trickle.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => trickle.socket.write('X-Slow: 1\r\n'), 1000);
    const keptAlive = await rawSocket(t.port);
    keptAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      const deadline = REQUEST_HEAD_TIMEOUT_MS + 10_000;
      await waitFor(() => silent.socket.destroyed, 'the silent socket to be closed', deadline, 100);
      await waitFor(() => trickle.socket.destroyed, 'the trickling socket to be closed', deadline, 100);
      await waitFor(() => keptAlive.socket.destroyed, 'the idle kept-alive socket to be closed', deadline, 100);
    } finally {
      clearInterval(drip);
    }
    // Serving goes on: an ordinary request right after is answered.
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
  });

  it('caps open WebSockets per client address, and frees a place when one closes', async () => {
    const address = '203.0.113.44';
    const reserve = async (): Promise<{ url: string }> => {
      const res = await fetch(`${t.url}/matchmake/joinOrCreate/arena`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ name: 'capped' }),
      });
      assert.equal(res.status, 200);
      const seat = (await res.json()) as { sessionId: string; roomId: string; processId: string };
      return { url: `ws://127.0.0.1:${t.port}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}` };
    };
    const open = (url: string, from: string): Promise<{ ws: WebSocket; status: number }> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, { headers: { 'x-forwarded-for': from } });
        ws.once('open', () => resolve({ ws, status: 101 }));
        ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
        ws.once('error', () => resolve({ ws, status: 0 }));
      });
    const first = await open((await reserve()).url, address);
    const second = await open((await reserve()).url, address);
    assert.deepEqual([first.status, second.status], [101, 101]);
    const third = await open((await reserve()).url, address);
    assert.equal(third.status, 429, 'the third WebSocket from one address is refused');
    const elsewhere = await open((await reserve()).url, '203.0.113.45');
    assert.equal(elsewhere.status, 101, 'another address is not affected');
    assert.equal(t.app.connections?.perAddress.get(address), 2);

    first.ws.close();
    await waitFor(() => t.app.connections?.perAddress.get(address) === 1, 'the closed socket to free its place');
    const again = await open((await reserve()).url, address);
    assert.equal(again.status, 101);
    for (const s of [second, elsewhere, again]) s.ws.close();
    await waitFor(() => t.app.connections?.perAddress.size === 0, 'every place to be given back');
  });

  it("counts WebSocket reconnection attempts against the address's reconnection allowance", async () => {
    const address = '203.0.113.61';
    const attempt = (): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(
          `ws://127.0.0.1:${t.port}/someprocess/someroom?sessionId=guess&reconnectionToken=guess${Math.random()}`,
          {
            headers: { 'x-forwarded-for': address },
          },
        );
        ws.on('error', () => undefined);
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await attempt());
    // The HTTP `reconnect` method draws on the same allowance.
    const http = await fetch(`${t.url}/matchmake/reconnect/someroom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ reconnectionToken: 'guess' }),
    });
    statuses.push(http.status, await attempt());
    assert.deepEqual(
      statuses.map((s) => s === 429),
      [false, false, false, true, true],
      statuses.join(' '),
    );
    // A first join (no token) is not a reconnection.
    const join = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${t.port}/someprocess/someroom?sessionId=x`, {
        headers: { 'x-forwarded-for': address },
      });
      ws.on('error', () => resolve(0));
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    assert.notEqual(join, 429);
  });
});
