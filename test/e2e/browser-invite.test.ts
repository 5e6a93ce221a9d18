/**
 * Private rooms as players use them, on three instances behind the test load
 * balancer (round robin, no affinity): Alice makes a private room, Bob opens
 * her invite link and lands in it, a Quick Play player does not, the room is
 * in no lobby list, any instance resolves the code, and a full room or a dead
 * link says so and leaves Quick Play working.
 *
 * Needs dist/client (scripts/test.sh builds it), Debian's chromium, nginx and redis-server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { inviteCodeFromHash } from '../../shared/invite.ts';
import { roomCaches } from '../../harness/cluster.ts';
import { createPrivateRoom, inScene, joinFriendsRoom, quickPlay, roomIdOf as roomOf } from '../../harness/browser.ts';
import { useBrowserCluster } from '../helpers/clusterFixture.ts';

describe('invite links across a three-instance cluster', { timeout: 150_000 }, () => {
  // Rooms of two, so a third guest finds the private room full.
  const cluster = useBrowserCluster(['A', 'B', 'C'], { MAX_PLAYERS: '2', ROUND_DURATION_MS: '600000' });
  let alice: Page;
  let bob: Page;
  let link = '';
  let roomId = '';

  const inGame = (page: Page) => inScene(page, 'game');
  const draws = (page: Page, name: string) =>
    page.waitForFunction((n) => window.__arena!.renderedPlayers().some((p) => p.name === n && !p.local), name, {
      timeout: 10_000,
    });

  it('Alice makes a private room and sees its invite link', async () => {
    alice = await cluster.open('alice');
    await createPrivateRoom(alice, 'Alice');
    roomId = (await roomOf(alice)) ?? '';
    assert.ok(roomId);
    link = await alice.inputValue('.invite-link');
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#\/r\/[0-9A-HJKMNP-TV-Z]{13}$/u, link);
    assert.ok(link.startsWith(cluster.nginx.url), 'the link points at the address the page came from');
    const listing = (await roomCaches(cluster.redis.client)).get(roomId);
    assert.ok(listing, 'the room is in the cluster listing');
  });

  it('every instance resolves the code to the room, wherever it lives', async () => {
    const code = inviteCodeFromHash(new URL(link).hash)!;
    for (const instance of cluster.instances) {
      const res = await fetch(`${instance.url}/invites/${code}`);
      assert.equal(res.status, 200, `instance ${instance.name}`);
      assert.deepEqual(await res.json(), { roomId });
    }
  });

  it('Bob opens the link, gives a name, and plays in the same room', async () => {
    bob = await cluster.open('bob', link);
    await bob.waitForSelector('[data-testid="invite-banner"]:not(.hidden)', { timeout: 5000 });
    await joinFriendsRoom(bob, 'Bob');
    assert.equal(await roomOf(bob), roomId, 'Bob is in Alice’s private room');
    await draws(alice, 'Bob');
    await draws(bob, 'Alice');
    // Bob can pass the same link on.
    assert.equal(await bob.inputValue('.invite-link'), link);
  });

  it('a Quick Play player lands elsewhere and no lobby lists the private room', async () => {
    const carol = await cluster.open('carol');
    // Whatever the live listing shows so far; the check below waits for a fresh room to be listed.
    const listed = await carol.evaluate(() => window.__arena!.lobbyRooms().map((r) => r.roomId));
    assert.ok(!listed.includes(roomId), `lobby lists ${JSON.stringify(listed)}`);
    await quickPlay(carol, 'Carol');
    const carolRoom = await roomOf(carol);
    assert.ok(carolRoom && carolRoom !== roomId, 'Quick Play did not put Carol in the private room');
    const dave = await cluster.open('dave');
    await dave.waitForFunction((id) => window.__arena!.lobbyRooms().some((r) => r.roomId === id), carolRoom, {
      timeout: 10_000,
    });
    assert.ok(
      !(await dave.evaluate(() => window.__arena!.lobbyRooms().map((r) => r.roomId))).includes(roomId),
      'the private room is never listed',
    );
  });

  it('a full private room says so and leaves Quick Play working', async () => {
    const eve = await cluster.open('eve', link);
    await eve.fill('.name-input', 'Eve');
    await eve.click('button:has-text("Join friend\'s room")');
    await eve.waitForFunction(
      () => /That room is full\..*Quick Play/su.test(document.querySelector('.lobby-error')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await eve.isVisible('[data-testid="invite-banner"]'), false, 'the invite is dropped');
    assert.equal(await eve.evaluate(() => window.location.hash), '', 'the dead link is cleared from the address bar');
    await eve.click('button:has-text("Quick Play")');
    await inGame(eve);
    assert.notEqual(await roomOf(eve), roomId);
  });

  it('a link to a closed room says it expired', async () => {
    // A code no room has: what a link looks like once its room has closed.
    const frank = await cluster.open('frank', `${cluster.nginx.url}/#/r/ABCDEFGHJKMNP`);
    await frank.fill('.name-input', 'Frank');
    await frank.click('button:has-text("Join friend\'s room")');
    await frank.waitForFunction(
      () => /invite has expired/u.test(document.querySelector('.lobby-error')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await frank.evaluate(() => window.__arena!.scene()), 'lobby');
    assert.equal(await frank.isEnabled('button:has-text("Quick Play")'), true);
  });

  it('raised no uncaught errors in any page', () => {
    assert.deepEqual(cluster.pageErrors, []);
  });
});
