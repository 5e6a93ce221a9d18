/**
 * Over 300 lines on purpose: one two-player browser story (join, move, fight,
 * reconnect, lobby) whose steps build on each other.
 *
 * The built client in a real browser against the real server: two players
 * quick-play into one room, each sees the other, a held key moves a player on
 * the other player's screen, shots land, and the lobby lists the room and
 * shows join errors. Assertions read `window.__arena`, which reports what the
 * scene draws (game object positions), i.e. what a player sees.
 *
 * Needs dist/client (scripts/test.sh builds it) and Debian's chromium.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RenderedPlayer } from '../../client/testHook.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { clientSocket } from '../../server/colyseusInternals.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { drawnAtRest, launchChromium, openGamePage, quickPlay as quickPlayFromLobby } from '../../harness/browser.ts';

const CLIENT_INDEX = path.resolve('dist/client/index.html');
const README_PICTURE = path.resolve('docs/screenshot.png');
/**
 * The mid-fight screenshot refreshes the README picture only when asked
 * (UPDATE_SCREENSHOT=1) or when there is none yet; otherwise it goes to the
 * ignored test-results/, so a test run never dirties the work tree.
 */
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1' || !existsSync(README_PICTURE)
    ? README_PICTURE
    : path.resolve('test-results/screenshot.png');
/** README picture size; the game shows the same world area at any size. */
const VIEWPORT = { width: 1600, height: 900 };
/** A horizontal lane with no cover between x 0 and 1600 (walls end at y 300 and start at y 420). */
const LANE_Y = 360;

describe('browser client', { timeout: 240_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let alice: Page;
  let bob: Page;
  let roomId = '';
  let aliceJoinedAt = 0;

  async function openPage(label: string): Promise<Page> {
    const page = await openGamePage(browser, label, t.url, { errors: pageErrors, viewport: VIEWPORT });
    contexts.push(page.context());
    return page;
  }

  async function quickPlay(page: Page, name: string): Promise<void> {
    await quickPlayFromLobby(page, name);
  }

  const players = (page: Page): Promise<RenderedPlayer[]> => page.evaluate(() => window.__arena!.renderedPlayers());

  async function drawn(page: Page, name: string): Promise<RenderedPlayer> {
    const p = (await players(page)).find((q) => q.name === name);
    assert.ok(p, `${name} is not drawn on this page`);
    return p;
  }

  /** Wait until `page` draws a player named `name` that satisfies `check`. */
  async function waitDrawn(
    page: Page,
    name: string,
    check: string,
    what: string,
    timeout = 5000,
  ): Promise<RenderedPlayer> {
    try {
      const handle = await page.waitForFunction(
        ([n, body]) => {
          const p = window.__arena!.renderedPlayers().find((q) => q.name === n);
          return p && new Function('p', `return ${body}`)(p) ? p : null;
        },
        [name, check] as const,
        { timeout },
      );
      return (await handle.jsonValue()) as RenderedPlayer;
    } catch {
      const seen = JSON.stringify(await players(page));
      throw new Error(`timed out waiting for ${what}; drawn: ${seen}`);
    }
  }

  /**
   * Put `page`'s own player at (`x`, `y`) on the server and wait until every
   * page draws it there, at rest. Set-up, not what the test is about: walking
   * there with held keys overshoots when key-up events come late on a busy
   * machine (four corrections were not enough at load average 34).
   */
  async function placeOnServer(page: Page, x: number, y: number, pages: Page[]): Promise<void> {
    const sessionId = await page.evaluate(() => window.__arena!.sessionId());
    const name = (await players(page)).find((p) => p.local)!.name;
    const player = t.colyseus.getRoomById<ArenaRoom>(roomId).state.players.get(sessionId ?? '');
    assert.ok(player, `${name} is in the server's room`);
    player.x = x;
    player.y = y;
    for (const other of pages) {
      await waitDrawn(
        other,
        name,
        `Math.abs(p.x - ${x}) < 1 && Math.abs(p.y - ${y}) < 1`,
        `${name} drawn at (${x}, ${y})`,
      );
      await drawnAtRest(other, name);
    }
  }

  async function aimAt(page: Page, name: string): Promise<void> {
    const target = await drawn(page, name);
    const at = await page.evaluate(([x, y]) => window.__arena!.worldToPage(x, y), [target.x, target.y] as const);
    assert.ok(at, 'worldToPage answers while in game');
    await page.mouse.move(at.x, at.y);
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.keyboard.press('Enter');
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  }

  before(async () => {
    assert.ok(
      existsSync(CLIENT_INDEX),
      `${CLIENT_INDEX} is missing: build the client first (npx vite build; npm test does it)`,
    );
    t = await bootTestApp({ RECONNECT_GRACE_S: '25' }); // not the default, so the banner must have it from the server
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await t?.colyseus.shutdown();
  });

  it('puts two quick-play players in the same room, each drawing the other', async () => {
    alice = await openPage('alice');
    bob = await openPage('bob');
    await quickPlay(alice, 'Alice');
    aliceJoinedAt = Date.now();
    await quickPlay(bob, 'Bob');

    roomId = (await alice.evaluate(() => window.__arena!.roomId())) ?? '';
    assert.ok(roomId, 'Alice is in a room');
    assert.equal(await bob.evaluate(() => window.__arena!.roomId()), roomId, 'Bob is in the same room');
    assert.notEqual(
      await alice.evaluate(() => window.__arena!.sessionId()),
      await bob.evaluate(() => window.__arena!.sessionId()),
    );

    await waitDrawn(alice, 'Bob', '!p.local', 'Alice to draw Bob');
    await waitDrawn(bob, 'Alice', '!p.local', 'Bob to draw Alice');
    assert.equal((await drawn(alice, 'Alice')).local, true);
    assert.equal((await drawn(bob, 'Bob')).local, true);
  });

  it("moves a player on the other player's screen while a key is held", async () => {
    const aliceBefore = await drawn(bob, 'Alice');
    const bobBefore = await drawn(bob, 'Bob');
    // Alice spawns in the top half, so down is open floor.
    assert.ok(aliceBefore.y < 500, `Alice spawned at y ${aliceBefore.y}`);

    await alice.keyboard.down('s');
    await waitDrawn(alice, 'Alice', `p.y >= ${aliceBefore.y + 100}`, 'Alice to walk 100 px down on her screen');
    await alice.keyboard.up('s');
    // Bob draws Alice ~100 ms in the past (interpolation): compare once she has stopped on her own
    // screen and Bob draws her where she stands (a pause in patches on a busy machine is not a stop).
    await drawnAtRest(alice, 'Alice');
    const stoppedAt = await drawn(alice, 'Alice');
    await waitDrawn(
      bob,
      'Alice',
      `Math.abs(p.x - ${stoppedAt.x}) < 1 && Math.abs(p.y - ${stoppedAt.y}) < 1`,
      'Bob to draw Alice where she stopped',
      10_000,
    );

    const aliceAfter = await drawn(bob, 'Alice');
    const bobAfter = await drawn(bob, 'Bob');
    assert.ok(
      aliceAfter.y - aliceBefore.y > 60,
      `Alice moved down on Bob's screen: ${aliceBefore.y} -> ${aliceAfter.y}`,
    );
    assert.ok(
      Math.abs(aliceAfter.x - aliceBefore.x) < 1,
      `Alice did not drift sideways: ${aliceBefore.x} -> ${aliceAfter.x}`,
    );
    assert.deepEqual({ x: bobAfter.x, y: bobAfter.y }, { x: bobBefore.x, y: bobBefore.y }, 'Bob did not move');
    // And Alice's own (predicted) view agrees with what Bob sees once she has stopped.
    const aliceOwn = await drawn(alice, 'Alice');
    assert.ok(Math.abs(aliceOwn.y - aliceAfter.y) < 1, `Alice's own screen ${aliceOwn.y} vs Bob's ${aliceAfter.y}`);
  });

  it('lands shots: the target loses health and dies on both screens', async () => {
    // Both stand in the open lane, facing each other across it.
    await placeOnServer(alice, 600, LANE_Y, [alice, bob]);
    await placeOnServer(bob, 1000, LANE_Y, [alice, bob]);
    await aimAt(alice, 'Bob');
    await aimAt(bob, 'Alice');
    await say(bob, 'gl hf');
    await say(alice, 'you too');

    // The death card is up only until the respawn (2 s): record what it said whenever it shows,
    // so a slow machine that notices the kill late does not miss it.
    await bob.evaluate(() => {
      const card = document.querySelector('.overlay.death')!;
      new MutationObserver(() => {
        if (!card.classList.contains('hidden')) Reflect.set(window, 'deathText', card.textContent);
      }).observe(card, { attributes: true, childList: true, subtree: true });
    });
    // Alice holds the trigger; Bob answers with a short burst (two shots at most), so Alice survives.
    await alice.keyboard.down('Space');
    await bob.mouse.down();
    try {
      await bob.waitForTimeout(350);
      await bob.mouse.up();
      await waitDrawn(bob, 'Bob', 'p.hp <= 50', "Bob's own screen to show him hit twice");
      await waitDrawn(alice, 'Bob', 'p.hp <= 50', "Alice's screen to show Bob hit");
      // Mid-fight, shots in the air: the README picture.
      await alice.waitForTimeout(150); // let the hit flashes and the HUD's health bar animation finish
      await alice
        .waitForFunction(() => window.__arena!.projectiles() >= 2, null, { timeout: 2000 })
        .catch(() => undefined);
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await alice.screenshot({ path: SCREENSHOT });
      await waitDrawn(alice, 'Bob', '!p.alive', 'Bob to die on Alice’s screen');
    } finally {
      await alice.keyboard.up('Space');
      await bob.mouse.up();
    }
    await bob.waitForFunction(() => typeof Reflect.get(window, 'deathText') === 'string', null, { timeout: 10_000 });
    assert.match(
      String(await bob.evaluate(() => Reflect.get(window, 'deathText'))),
      /Eliminated by Alice.*respawning/su,
    );
    assert.match((await alice.textContent('.killfeed')) ?? '', /Alice.*Bob/su);
    const aliceHit = await waitDrawn(bob, 'Alice', 'p.hp < 100', 'Bob to have hit Alice back');
    assert.equal(aliceHit.alive, true, 'Alice survived the duel');
  });

  it('shows "reconnecting" when the socket drops, then plays on in the same seat', async () => {
    // The client reconnects rooms joined at least 1 s ago (its reconnection.minUptime).
    const uptimeMs = Date.now() - aliceJoinedAt;
    if (uptimeMs < 1200) await alice.waitForTimeout(1200 - uptimeMs);
    const sessionId = await alice.evaluate(() => window.__arena!.sessionId());
    // The banner may be up for only a few hundred ms; record that it was shown at all.
    await alice.evaluate(() => {
      const overlay = document.querySelector('.overlay.reconnect')!;
      Reflect.set(window, 'reconnectShown', false);
      new MutationObserver(() => {
        if (overlay.classList.contains('hidden')) return;
        Reflect.set(window, 'reconnectShown', true);
        Reflect.set(window, 'reconnectText', overlay.textContent);
      }).observe(overlay, { attributes: true });
    });
    const room = t.colyseus.getRoomById(roomId);
    const client = room.clients.find((c) => c.sessionId === sessionId);
    assert.ok(client, "Alice's server-side client");
    // An abrupt cut (no close frame), as when a load balancer drops the socket.
    clientSocket(client).terminate?.();

    await alice.waitForFunction(() => Reflect.get(window, 'reconnectShown') === true, null, {
      timeout: 5000,
    });
    // The grace the banner states is the server's own (RECONNECT_GRACE_S, published in the room state).
    assert.match(
      String(await alice.evaluate(() => Reflect.get(window, 'reconnectText'))),
      new RegExp(`held for ${t.config.reconnectGraceS} s`, 'u'),
    );
    await alice.waitForSelector('.overlay.reconnect.hidden', { state: 'attached', timeout: 10_000 });
    assert.equal(await alice.evaluate(() => window.__arena!.sessionId()), sessionId, 'same seat after reconnecting');

    const before = await waitDrawn(bob, 'Alice', 'p.alive', 'Alice alive on Bob’s screen');
    // Along the lane (no cover between x 0 and 1600): the walls above and below leave too little room to walk far.
    await alice.keyboard.down('d');
    await waitDrawn(alice, 'Alice', `p.x > ${before.x + 60}`, 'Alice to walk right on her own screen');
    await alice.keyboard.up('d');
    await waitDrawn(bob, 'Alice', `p.x > ${before.x + 40}`, "Alice's moves after the reconnect to reach Bob");
  });

  it('lists the room in the lobby with both players and the time left', async () => {
    const carol = await openPage('carol');
    const row = carol.locator(`tr[data-room-id="${roomId}"]`);
    await row.waitFor({ timeout: 5000 });
    await carol.waitForSelector(`tr[data-room-id="${roomId}"][data-players="2"]`, { timeout: 5000 });
    assert.equal(await row.locator('.players .count').textContent(), `2/${t.config.maxPlayers}`);
    const timeLeft = (await row.locator('.time-left').textContent()) ?? '';
    assert.match(timeLeft, /^[0-3]:[0-5]\d$/u, `row shows the time left in the round: "${timeLeft}"`);
    assert.equal(await row.locator('button.join').textContent(), 'Join');
    assert.equal(await row.locator('button.watch').isEnabled(), true, 'and it can be watched');
  });

  it('refuses a bad name with a message and stays in the lobby', async () => {
    const page = await openPage('dave');
    await page.fill('.name-input', '<script>');
    await page.click('button:has-text("Quick Play")');
    await page.waitForSelector('.lobby-error.shown', { timeout: 3000 });
    assert.match((await page.textContent('.lobby-error')) ?? '', /letters, digits/u);

    // The same name sent anyway (as a client without validation would): the server's own refusal is shown.
    await page.route('**/matchmake/**', (route) => route.continue({ postData: JSON.stringify({ name: '<script>' }) }));
    await page.fill('.name-input', 'Dave');
    await page.click('button:has-text("Quick Play")');
    await page.waitForFunction(
      () => /Server refused/u.test(document.querySelector('.lobby-error')?.textContent ?? ''),
      null,
      { timeout: 5000 },
    );
    assert.match((await page.textContent('.lobby-error')) ?? '', /Server refused: name may contain only/u);
    // The refusal is shown once the join has failed: no game can start after it.
    assert.equal(await page.evaluate(() => window.__arena!.scene()), 'lobby');
    assert.equal(await page.evaluate(() => window.__arena!.roomId()), null);
    assert.equal(await page.isEnabled('button:has-text("Quick Play")'), true, 'the button works again after a refusal');
  });

  it('raised no uncaught errors in any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
