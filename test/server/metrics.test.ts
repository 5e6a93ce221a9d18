/**
 * `GET /metrics`: valid Prometheus text with the families dashboards rely on,
 * counters that follow what clients actually do (frames counted exactly at the
 * transport), the bearer-token guard, and the off switch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Room } from '@colyseus/sdk';
import { ClientMessage, ServerMessage } from '../../shared/messages.ts';
import type { PlayerInput } from '../../shared/input.ts';
import type { ArenaState } from '../../shared/state.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { ServerMetrics } from '../../server/metrics.ts';
import { histogramOf, parsePrometheusText, sumOf, type Scrape } from '../../common/prometheus.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

type ArenaClient = Room<ArenaRoom, ArenaState>;

async function scrape(t: TestApp, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(`${t.url}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/u);
  return parsePrometheusText(await res.text());
}

/** Every histogram is well formed: buckets cumulative, +Inf bucket equal to _count. */
function assertHistogramsConsistent(s: Scrape): void {
  for (const family of s.values()) {
    // A labelled histogram with no observation yet (say, GC durations before any GC) has no samples at all.
    if (family.type !== 'histogram' || family.samples.length === 0) continue;
    const h = histogramOf(s, family.name)!;
    assert.equal(h.bounds.at(-1), Number.POSITIVE_INFINITY, `${family.name} ends with +Inf`);
    for (let i = 1; i < h.cumulative.length; i++)
      assert.ok(h.cumulative[i]! >= h.cumulative[i - 1]!, `${family.name} buckets are cumulative`);
    assert.equal(h.cumulative.at(-1), h.count, `${family.name} +Inf bucket equals _count`);
  }
}

describe('GET /metrics', () => {
  let t: TestApp;
  const clients: ArenaClient[] = [];

  before(async () => {
    t = await bootTestApp();
  });

  after(async () => {
    await Promise.all(clients.map((c) => (c.connection.isOpen ? c.leave() : undefined)));
    await t.colyseus.shutdown();
  });

  it('serves Prometheus text with the arena, transport and process families', async () => {
    const s = await scrape(t);
    const expected: Record<string, string> = {
      arena_ccu: 'gauge',
      arena_rooms: 'gauge',
      arena_tick_duration_seconds: 'histogram',
      arena_patch_duration_seconds: 'histogram',
      arena_input_buffer_depth: 'histogram',
      arena_ws_frames_sent_total: 'counter',
      arena_ws_sent_bytes_total: 'counter',
      arena_ws_frames_received_total: 'counter',
      arena_ws_received_bytes_total: 'counter',
      arena_ws_connections: 'gauge',
      arena_ws_connections_opened_total: 'counter',
      process_cpu_seconds_total: 'counter',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_eventloop_lag_p99_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      const family = s.get(name);
      assert.ok(family, `${name} is exported`);
      assert.equal(family.type, type, `${name} is a ${type}`);
      assert.ok(family.help.length > 0, `${name} has HELP`);
    }
    for (const name of [
      'arena_forwarded_connections_opened_total',
      'arena_forwarded_connections_active',
      'arena_forwarded_connections_failed_total',
    ]) {
      assert.ok(s.has(name), `${name} is exported`);
      assert.equal(sumOf(s, name), 0, `${name} is 0 outside cluster mode`);
    }
    assert.equal(sumOf(s, 'arena_ccu'), 0);
    assertHistogramsConsistent(s);
  });

  it('counts what clients do: seats, inputs, chat, pings, patches and ticks', async () => {
    const before = await scrape(t);
    const alice = await t.colyseus.sdk.joinOrCreate<ArenaRoom>('arena', { name: 'Alice' });
    clients.push(alice);
    const bob = await t.colyseus.sdk.joinById<ArenaRoom>(alice.roomId, { name: 'Bob' });
    clients.push(bob);
    await waitFor(
      () => alice.state.players?.size === 2 && bob.state.players?.size === 2,
      'both players in both states',
    );

    const input = alice.input<PlayerInput>();
    const INPUTS = 25;
    for (let i = 0; i < INPUTS; i++) {
      input.data.moveX = i % 2 === 0 ? 1 : -1;
      input.data.moveY = 0;
      input.send();
    }
    await waitFor(() => input.lastProcessed === INPUTS, 'inputs acked');
    let chats = 0;
    bob.onMessage(ServerMessage.Chat, () => chats++);
    alice.onMessage(ServerMessage.Chat, () => chats++);
    alice.send(ClientMessage.Chat, { text: 'hello metrics' });
    await waitFor(() => chats === 2, 'chat delivered to both');
    let pong = false;
    bob.ping(() => (pong = true));
    await waitFor(() => pong, 'pong');

    const during = await scrape(t);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sumOf(during, name, labels) - sumOf(before, name, labels);
    assert.equal(sumOf(during, 'arena_ccu'), 2);
    assert.ok(sumOf(during, 'arena_rooms') >= 1);
    assert.equal(sumOf(during, 'arena_ws_connections'), 2);
    assert.equal(delta('arena_ws_connections_opened_total'), 2);
    assert.equal(delta('arena_ws_frames_received_total', { kind: 'input' }), INPUTS, 'every input frame counted once');
    assert.equal(delta('arena_ws_frames_received_total', { kind: 'message' }), 1, 'one chat message in');
    assert.equal(delta('arena_ws_frames_received_total', { kind: 'ping' }), 1);
    assert.equal(delta('arena_ws_frames_sent_total', { kind: 'ping' }), 1);
    assert.equal(delta('arena_ws_frames_received_total', { kind: 'join' }), 2, 'two join acknowledgements');
    assert.equal(delta('arena_ws_frames_sent_total', { kind: 'state' }), 2, 'one full state per joiner');
    assert.ok(delta('arena_ws_frames_sent_total', { kind: 'message' }) >= 2, 'chat broadcast to both');
    assert.ok(delta('arena_ws_frames_sent_total', { kind: 'patch' }) > 0);
    assert.ok(
      delta('arena_ws_sent_bytes_total', { kind: 'patch' }) >=
        9 * delta('arena_ws_frames_sent_total', { kind: 'patch' }),
      'a timed patch is at least 9 bytes',
    );
    assert.ok(delta('arena_ws_received_bytes_total', { kind: 'input' }) >= INPUTS);

    const ticks = histogramOf(during, 'arena_tick_duration_seconds')!;
    const patches = histogramOf(during, 'arena_patch_duration_seconds')!;
    assert.ok(ticks.count > (histogramOf(before, 'arena_tick_duration_seconds')?.count ?? 0), 'ticks were timed');
    assert.ok(ticks.sum > 0);
    assert.ok(patches.count > 0, 'patch broadcasts were timed');
    // 25 inputs sent at once wait in Alice's queue: steps see more than one queued.
    const depth = histogramOf(during, 'arena_input_buffer_depth')!;
    const upToOne = depth.cumulative[depth.bounds.indexOf(1)]!;
    assert.ok(
      depth.count >= ticks.count - (histogramOf(before, 'arena_tick_duration_seconds')?.count ?? 0),
      'one depth per client per step',
    );
    assert.ok(depth.count - upToOne > 0, 'a queue deeper than one step was seen');
    assertHistogramsConsistent(during);

    await Promise.all(clients.splice(0).map((c) => c.leave()));
    await waitFor(async () => sumOf(await scrape(t), 'arena_ccu') === 0, 'ccu back to 0');
    assert.equal(sumOf(await scrape(t), 'arena_ws_connections'), 0);
  });
});

describe('GET /metrics guarded by METRICS_TOKEN', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ METRICS_TOKEN: 'letmein-please' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('answers 401 without the token or with a wrong one, 200 with it', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: 'letmein-please' },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${t.url}/metrics`, { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      await res.arrayBuffer();
    }
    const s = await scrape(t, { authorization: 'Bearer letmein-please' });
    assert.ok(s.has('arena_ccu'));
  });
});

describe('GET /metrics with METRICS_ENABLED=false', () => {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp({ METRICS_ENABLED: 'false' });
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('is not served', async () => {
    const res = await fetch(`${t.url}/metrics`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
    assert.equal(t.app.metrics, undefined);
  });
});

describe('ServerMetrics', () => {
  it('exports cluster forwarding counters read at scrape time', async () => {
    const stats = { opened: 3, active: 1, failed: 2 };
    const metrics = new ServerMetrics({ forwardStats: () => stats, defaultMetrics: false });
    let s = parsePrometheusText(await metrics.render());
    assert.equal(s.get('arena_forwarded_connections_opened_total')?.type, 'counter');
    assert.equal(sumOf(s, 'arena_forwarded_connections_opened_total'), 3);
    assert.equal(sumOf(s, 'arena_forwarded_connections_active'), 1);
    assert.equal(sumOf(s, 'arena_forwarded_connections_failed_total'), 2);
    stats.opened = 5;
    stats.active = 0;
    s = parsePrometheusText(await metrics.render());
    assert.equal(sumOf(s, 'arena_forwarded_connections_opened_total'), 5);
    assert.equal(sumOf(s, 'arena_forwarded_connections_active'), 0);
    assert.equal(s.has('process_cpu_seconds_total'), false, 'default metrics can be left out');
    metrics.close();
  });

  it('times steps and patches even when they throw', async () => {
    const metrics = new ServerMetrics({ defaultMetrics: false });
    assert.equal(
      metrics.timeStep(() => 7),
      7,
    );
    assert.throws(
      () =>
        metrics.timePatch(() => {
          throw new Error('boom');
        }),
      /boom/u,
    );
    const s = parsePrometheusText(await metrics.render());
    assert.equal(histogramOf(s, 'arena_tick_duration_seconds')!.count, 1);
    assert.equal(histogramOf(s, 'arena_patch_duration_seconds')!.count, 1);
    metrics.close();
  });
});
