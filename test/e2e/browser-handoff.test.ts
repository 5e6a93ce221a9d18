/**
 * A room hand-off as players see it, in a real browser: two instances on
 * Redis behind nginx, two pages in one match. The room is moved on demand
 * (admin endpoint), then its instance is sent SIGTERM and the room moves
 * back. Each time both pages stay in the game, keep their session id and
 * where they stand, keep seeing each other move, and show no error.
 *
 * Needs dist/client (scripts/test.sh builds it), Debian's chromium, nginx and redis-server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { RenderedPlayer } from '../../client/testHook.ts';
import { roomCaches } from '../../harness/cluster.ts';
import { drawnAtRest, quickPlay } from '../../harness/browser.ts';
import { useBrowserCluster } from '../helpers/clusterFixture.ts';

const ADMIN_TOKEN = 'browser-admin-token';

describe('browser players through a room hand-off', { timeout: 120_000 }, () => {
  const cluster = useBrowserCluster(['A', 'B'], { ADMIN_TOKEN, ROUND_DURATION_MS: '600000' });
  let dana: Page;
  let eve: Page;

  async function play(name: string): Promise<Page> {
    const page = await cluster.open(name);
    await quickPlay(page, name);
    return page;
  }

  const me = async (page: Page): Promise<RenderedPlayer> => {
    const p = (await page.evaluate(() => window.__arena!.renderedPlayers())).find((q) => q.local);
    assert.ok(p, 'our player is drawn');
    return p;
  };
  const ids = (page: Page) =>
    page.evaluate(() => ({
      sessionId: window.__arena!.sessionId(),
      roomId: window.__arena!.roomId(),
      scene: window.__arena!.scene(),
    }));

  /** After a move: same seat in a new room, still in game, standing where we stood, and the other player sees us move. */
  async function checkMoved(
    before: Map<Page, { sessionId: string | null; roomId: string | null; at: RenderedPlayer }>,
  ): Promise<void> {
    const oldRoom = before.get(dana)!.roomId;
    for (const page of [dana, eve]) {
      await page.waitForFunction(
        (from) => window.__arena?.scene() === 'game' && window.__arena.roomId() !== from,
        oldRoom,
        { timeout: 10_000 },
      );
      const now = await ids(page);
      assert.equal(now.sessionId, before.get(page)!.sessionId, 'same session after the move');
      await page.waitForFunction(() => (window.__arena?.renderedPlayers().length ?? 0) === 2, null, { timeout: 5000 });
      const at = await me(page);
      const was = before.get(page)!.at;
      assert.ok(
        Math.hypot(at.x - was.x, at.y - was.y) < 2,
        `stands where it stood (${JSON.stringify(was)} -> ${JSON.stringify(at)})`,
      );
      assert.equal(at.hp, was.hp);
    }
    assert.equal((await ids(dana)).roomId, (await ids(eve)).roomId, 'both moved to the same room');
    // Dana walks; Eve's screen shows it.
    const start = await me(dana);
    await dana.keyboard.down('d');
    try {
      await eve.waitForFunction(
        ([name, x]) => (window.__arena!.renderedPlayers().find((p) => p.name === name)?.x ?? x) > x + 30,
        ['Dana', start.x] as const,
        { timeout: 8000 },
      );
    } finally {
      await dana.keyboard.up('d');
    }
    assert.deepEqual(cluster.pageErrors, []);
  }

  async function snapshot(): Promise<
    Map<Page, { sessionId: string | null; roomId: string | null; at: RenderedPlayer }>
  > {
    // Let the last movement settle on both screens so "where it stood" is a fixed point.
    await Promise.all([dana, eve].flatMap((page) => [drawnAtRest(page, 'Dana'), drawnAtRest(page, 'Eve')]));
    const out = new Map<Page, { sessionId: string | null; roomId: string | null; at: RenderedPlayer }>();
    for (const page of [dana, eve]) out.set(page, { ...(await ids(page)), at: await me(page) });
    return out;
  }

  it('follows an on-demand hand-off without leaving the game', async () => {
    dana = await play('Dana');
    eve = await play('Eve');
    assert.equal((await ids(dana)).roomId, (await ids(eve)).roomId, 'quick play put both in one room');
    const before = await snapshot();
    const res = await fetch(`${cluster.nginx.url}/admin/rooms/${before.get(dana)!.roomId}/handoff`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 200, await res.text());
    await checkMoved(before);
    const chat = await dana.textContent('.game-ui');
    assert.match(chat ?? '', /moved to another server/u);
  });

  it('follows the room when its instance is shut down (SIGTERM)', async () => {
    const before = await snapshot();
    const owner = (await roomCaches(cluster.redis.client)).get(before.get(dana)!.roomId!)!.processId;
    const victim = cluster.instances.find((i) => i.processId === owner)!;
    await victim.kill('SIGTERM');
    assert.equal(victim.child.exitCode, 0);
    await checkMoved(before);
  });
});
