/**
 * Spectating as players use it, on three instances behind the test load
 * balancer (round robin, no affinity): Alice makes a private room, Bob joins
 * through her invite link, Carol opens the watch link and sees both of them
 * move (read from the page's test hook: what her screen draws), follows the
 * player she picks, is refused a seat while the room is full and steps in
 * once Bob leaves. A lobby page lists a public room with a Watch button that
 * works on a full room.
 *
 * Needs dist/client (scripts/test.sh builds it), Debian's chromium, nginx and redis-server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ARENA_MAP } from '../../shared/map.ts';
import { createPrivateRoom, inScene, joinFriendsRoom, quickPlay, roomIdOf as roomOf } from '../../harness/browser.ts';
import { useBrowserCluster } from '../helpers/clusterFixture.ts';

describe('spectators across a three-instance cluster', { timeout: 180_000 }, () => {
  // Rooms of two, so Carol finds the room full until Bob leaves.
  const cluster = useBrowserCluster(['A', 'B', 'C'], {
    MAX_PLAYERS: '2',
    MAX_SPECTATORS: '4',
    ROUND_DURATION_MS: '600000',
  });
  let alice: Page;
  let bob: Page;
  let carol: Page;
  let roomId = '';

  const inGame = (page: Page) => inScene(page, 'game');
  const drawnAt = (page: Page, name: string) =>
    page.evaluate((n) => {
      const p = window.__arena!.renderedPlayers().find((r) => r.name === n);
      return p ? { x: p.x, y: p.y } : null;
    }, name);

  /** Walk `name` (playing on `page`) toward the middle of the map until `watcher` draws it somewhere else. */
  async function seenMoving(page: Page, watcher: Page, name: string): Promise<void> {
    await watcher.waitForFunction((n) => window.__arena!.renderedPlayers().some((p) => p.name === n), name, {
      timeout: 10_000,
    });
    const start = await drawnAt(watcher, name);
    assert.ok(start);
    const key = start.x < ARENA_MAP.widthPx / 2 ? 'KeyD' : 'KeyA';
    await page.keyboard.down(key);
    try {
      await watcher.waitForFunction(
        ([n, x, y]) => {
          const p = window.__arena!.renderedPlayers().find((r) => r.name === n);
          return p !== undefined && Math.hypot(p.x - (x as number), p.y - (y as number)) > 20;
        },
        [name, start.x, start.y] as const,
        { timeout: 10_000 },
      );
    } finally {
      await page.keyboard.up(key);
    }
  }

  it('Alice and Bob play in a private room through its invite link', async () => {
    alice = await cluster.open('alice');
    await createPrivateRoom(alice, 'Alice');
    roomId = (await roomOf(alice)) ?? '';
    const invite = await alice.inputValue('.invite-link');
    bob = await cluster.open('bob', invite);
    await joinFriendsRoom(bob, 'Bob');
    assert.equal(await roomOf(bob), roomId);
  });

  it('Carol opens the watch link and sees both of them move, with no player of her own', async () => {
    const watchLink = await alice.inputValue('.watch-link');
    assert.match(watchLink, /\/#\/w\/[0-9A-HJKMNP-TV-Z]{13}$/u, watchLink);
    carol = await cluster.open('carol', watchLink);
    await carol.waitForSelector('[data-testid="invite-banner"]:not(.hidden)', { timeout: 5000 });
    // Watching needs no name.
    await carol.click('.invite-banner button:has-text("Watch")');
    await inGame(carol);
    assert.equal(await roomOf(carol), roomId, 'Carol watches the private room');
    assert.equal(await carol.evaluate(() => window.__arena!.spectating()), true);
    await carol.waitForSelector('[data-testid="spectator-bar"]', { timeout: 5000 });

    await seenMoving(alice, carol, 'Alice');
    await seenMoving(bob, carol, 'Bob');
    const drawn = await carol.evaluate(() => window.__arena!.renderedPlayers());
    assert.deepEqual(drawn.map((p) => p.name).sort(), ['Alice', 'Bob'], 'exactly the two players');
    assert.ok(
      drawn.every((p) => !p.local),
      'none of them is hers',
    );
  });

  it('Carol follows the player she clicks, and her keys move only her camera', async () => {
    const bobId = await bob.evaluate(() => window.__arena!.sessionId());
    await carol.click(`.spectator-bar [data-player-id="${bobId}"]`);
    await carol.waitForFunction((id) => window.__arena!.following() === id, bobId, { timeout: 5000 });
    await carol.waitForFunction(
      () => /Following Bob/u.test(document.querySelector('[data-testid="watching"]')?.textContent ?? ''),
      null,
      { timeout: 5000 },
    );
    await carol.keyboard.press('KeyF');
    await carol.waitForFunction(() => window.__arena!.following() === null, null, { timeout: 5000 });
    const alicePos = await drawnAt(alice, 'Alice');
    // The free camera flies: a fixed point of the map moves across Carol's screen.
    const before = await carol.evaluate(() => window.__arena!.worldToPage(800, 500)!);
    await carol.keyboard.down('ArrowLeft');
    try {
      await carol.waitForFunction((x) => Math.abs(window.__arena!.worldToPage(800, 500)!.x - x) > 50, before.x, {
        timeout: 5000,
      });
    } finally {
      await carol.keyboard.up('ArrowLeft');
    }
    assert.deepEqual(await drawnAt(alice, 'Alice'), alicePos, 'a spectator’s keys move nobody');
    assert.equal(await carol.evaluate(() => window.__arena!.netStats()?.sent ?? -1), 0, 'Carol sent no inputs');
  });

  it('Carol cannot step in while the room is full, and can once a seat frees up', async () => {
    await carol.fill('.step-in-name', 'Carol');
    await carol.click('.spectator-bar button:has-text("Step in")');
    await carol.waitForFunction(
      () => /Cannot step in: the room is full/u.test(document.querySelector('.spectator-message')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await carol.evaluate(() => window.__arena!.spectating()), true);

    await bob.click('button:has-text("Leave")');
    await bob.waitForFunction(() => window.__arena?.scene() === 'lobby', null, { timeout: 10_000 });
    await carol.waitForFunction(() => window.__arena!.renderedPlayers().length === 1, null, { timeout: 10_000 });
    await carol.click('.spectator-bar button:has-text("Step in")');
    await carol.waitForFunction(() => window.__arena!.spectating() === false, null, { timeout: 10_000 });
    await carol.waitForFunction(
      () => window.__arena!.renderedPlayers().some((p) => p.local && p.name === 'Carol'),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await roomOf(carol), roomId);
    // Now she plays: Alice sees her move.
    await seenMoving(carol, alice, 'Carol');
  });

  it('a lobby lists a public room with a Watch button that works on a full room', async () => {
    const dan = await cluster.open('dan');
    await quickPlay(dan, 'Dan');
    const danRoom = (await roomOf(dan)) ?? '';
    const erin = await cluster.open('erin');
    await quickPlay(erin, 'Erin');
    assert.equal(await roomOf(erin), danRoom, 'Quick Play fills the room');

    const fay = await cluster.open('fay');
    const row = `tr[data-room-id="${danRoom}"]`;
    await fay.waitForSelector(`${row} .count:has-text("2/2")`, { timeout: 10_000 });
    assert.equal(await fay.isDisabled(`${row} button:has-text("Full")`), true, 'no player seat');
    await fay.click(`${row} button:has-text("Watch")`);
    await inGame(fay);
    assert.equal(await roomOf(fay), danRoom);
    assert.equal(await fay.evaluate(() => window.__arena!.spectating()), true);
    await fay.waitForFunction(() => window.__arena!.renderedPlayers().length === 2, null, { timeout: 10_000 });
    await seenMoving(dan, fay, 'Dan');
    // Fay's camera follows someone by itself.
    await fay.waitForFunction(() => window.__arena!.following() !== null, null, { timeout: 5000 });
  });

  it('raised no uncaught errors in any page', () => {
    assert.deepEqual(cluster.pageErrors, []);
  });
});
