/**
 * The bots read the server side from the cluster view too (`/metrics/cluster`
 * through a load balancer, where per-instance `/metrics` cannot be reached):
 * CCU and heap summed, the worst instance's tick p99 and event-loop lag, and
 * no CPU figure rather than a wrong one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Room } from '@colyseus/sdk';
import { ServerScraper, serverWindow } from '../../bots/scrape.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';

describe('ServerScraper on /metrics/cluster', () => {
  let t: TestApp;
  const rooms: Room[] = [];
  before(async () => {
    t = await bootTestApp({ CLUSTER_VIEW_INTERVAL_MS: '1000', METRICS_TOKEN: 'scrape-cluster-token' });
  });
  after(async () => {
    await Promise.all(rooms.map((r) => r.leave()));
    await t.colyseus.shutdown();
  });

  it('reads CCU, heap, tick p99 and lag from the cluster figures', async () => {
    const alice = await t.colyseus.sdk.joinOrCreate<ArenaRoom>('arena', { name: 'Alice' });
    rooms.push(alice, await t.colyseus.sdk.joinById<ArenaRoom>(alice.roomId, { name: 'Bob' }));
    const scraper = new ServerScraper([`${t.url}/metrics/cluster`], 'scrape-cluster-token');
    let window: ReturnType<typeof serverWindow> | undefined;
    await waitFor(
      async () => {
        const a = await scraper.scrape(0);
        const b = await scraper.scrape(1000);
        if (!a || !b) return false;
        window = serverWindow(a, b);
        return window.ccu === 2 && (window.tickMs.p99 ?? 0) > 0;
      },
      'the cluster figures show both players and ticks',
      10_000,
      200,
    );
    assert.equal(scraper.errors, 0);
    assert.ok(window!.tickMs.p99! < 1000 / 30, 'a two-player step is far inside the budget');
    assert.equal(window!.tickMs.p50, null, 'the cluster view has no p50');
    assert.equal(window!.cpuPercent, null, 'no CPU counter in the cluster view: unknown, not 0');
    assert.ok(window!.heapUsedBytes! > 1e6);
    assert.ok(window!.eventLoopLagP99Ms! > 0);
  });
});
