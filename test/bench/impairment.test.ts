/**
 * The feel harness's network model: one-way delay ± jitter, in-order
 * delivery, and loss as a retransmission hold that blocks everything behind
 * it; then the proxy itself over real sockets.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import {
  ImpairedDirection,
  retransmitMs,
  startImpairmentProxy,
  type NetworkProfile,
} from '../../bench/feel/impairment.ts';
import { seededRandom } from '../../shared/random.ts';

describe('ImpairedDirection', () => {
  it('delays every chunk by half the round trip, within the jitter', () => {
    const profile: NetworkProfile = { rttMs: 100, jitterMs: 10, lossPct: 0 };
    const d = new ImpairedDirection(profile, seededRandom(1));
    const delays: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const sent = i * 33.3;
      delays.push(d.schedule(sent) - sent);
    }
    assert.ok(
      Math.min(...delays) >= 40 - 1e-9 && Math.max(...delays) <= 60 + 1e-9,
      `${Math.min(...delays)}–${Math.max(...delays)}`,
    );
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    assert.ok(Math.abs(mean - 50) < 1.5, `mean ${mean}`);
    assert.ok(Math.max(...delays) - Math.min(...delays) > 15, 'the jitter is used');
    assert.equal(d.lost, 0);
  });

  it('never delivers a chunk before one sent earlier (TCP is in order)', () => {
    const d = new ImpairedDirection({ rttMs: 20, jitterMs: 30, lossPct: 0 }, seededRandom(2));
    let last = -Infinity;
    for (let i = 0; i < 2000; i++) {
      const at = d.schedule(i);
      assert.ok(at >= last);
      assert.ok(at >= i, 'never before it was sent');
      last = at;
    }
  });

  it('holds a lost chunk for the retransmission timeout, and everything behind it', () => {
    const profile: NetworkProfile = { rttMs: 100, jitterMs: 0, lossPct: 2 };
    const d = new ImpairedDirection(profile, seededRandom(3));
    const sentEvery = 1000 / 30;
    const delays: number[] = [];
    for (let i = 0; i < 30 * 600; i++) delays.push(d.schedule(i * sentEvery) - i * sentEvery);
    const lostShare = d.lost / delays.length;
    assert.ok(Math.abs(lostShare - 0.02) < 0.004, `lost ${(lostShare * 100).toFixed(2)} %`);
    const hold = retransmitMs(profile);
    assert.equal(hold, 300);
    assert.ok(Math.abs(Math.max(...delays) - (50 + hold)) < 1e-6, 'a lost chunk waits one retransmission');
    // Head-of-line blocking: the chunks sent while one is held arrive with it, later than a clean path allows.
    const blocked = delays.filter((x) => x > 50).length;
    assert.ok(blocked > d.lost * 5, `${blocked} chunks delayed by ${d.lost} losses`);
    const late = delays.findIndex((x) => Math.abs(x - (50 + hold)) < 1e-6);
    assert.ok(
      delays[late + 1]! > 50 && delays[late + 1]! <= 50 + hold - sentEvery + 1e-6,
      'the next chunk waits behind it',
    );
  });

  it('passes everything through untouched with no impairment', () => {
    const d = new ImpairedDirection({ rttMs: 0, jitterMs: 0, lossPct: 0 }, seededRandom(4));
    for (let i = 0; i < 100; i++) assert.equal(d.schedule(i * 7), i * 7);
  });
});

describe('startImpairmentProxy', () => {
  it('carries bytes both ways, in order, a round trip later', async () => {
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoPort = (echo.address() as net.AddressInfo).port;
    const proxy = await startImpairmentProxy(echoPort, { rttMs: 80, jitterMs: 5, lossPct: 0 }, seededRandom(5));
    try {
      const socket = net.connect(proxy.port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const received: Buffer[] = [];
      socket.on('data', (b: Buffer) => received.push(b));
      const sentAt = performance.now();
      for (let i = 0; i < 20; i++) socket.write(`${i},`);
      const expected = Array.from({ length: 20 }, (_, i) => `${i},`).join('');
      while (Buffer.concat(received).toString() !== expected) {
        await new Promise((r) => setTimeout(r, 5));
        assert.ok(performance.now() - sentAt < 5000, `got ${Buffer.concat(received).toString()}`);
      }
      const took = performance.now() - sentAt;
      // Up 40 ± 5 ms, down 40 ± 5 ms.
      assert.ok(took >= 80 - 10, `round trip took ${took} ms`);
      socket.destroy();
    } finally {
      await proxy.close();
      echo.close();
    }
  });
});
