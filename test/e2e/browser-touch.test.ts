/**
 * The built client on an emulated phone (touch, mobile viewport, no mouse or
 * keyboard used) against the real server: Quick Play by tapping, the left
 * virtual stick moves the player on the server in the stick's direction, both
 * thumbs at once move and fire (the server gets shots aimed where the right
 * stick points), the Chat button opens chat, and the lobby fits a phone in
 * portrait and landscape without sideways scrolling. Touches are real touch
 * events from Chromium's input pipeline (CDP `Input.dispatchTouchEvent`).
 *
 * Needs dist/client (scripts/test.sh builds it) and Debian's chromium.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';
import { launchChromium, openGamePage } from '../../harness/browser.ts';
import { assertFitsSideways, assertGameLayout } from '../helpers/phoneLayout.ts';

const CLIENT_INDEX = path.resolve('dist/client/index.html');
/**
 * As in browser.test.ts: a README picture is refreshed only when asked
 * (UPDATE_SCREENSHOT=1) or missing, otherwise the shot goes to the ignored
 * test-results/, so a run never dirties the tree.
 */
function screenshotPath(name: string): string {
  const picture = path.resolve('docs', name);
  return process.env.UPDATE_SCREENSHOT === '1' || !existsSync(picture) ? picture : path.resolve('test-results', name);
}
/** The game UI's boxes that must not cover each other or the middle of the screen. */
const UI_BOXES = [
  '.hud-me',
  '.hud-round',
  '.hud-net',
  'button.leave',
  '[data-stick="move"]',
  '[data-stick="aim"]',
  'button.touch-chat',
];
/** A 6.1" phone (CSS px), held both ways. */
const PORTRAIT = { width: 390, height: 844 };
const LANDSCAPE = { width: 844, height: 390 };
/** Where the thumbs land in landscape: lower left and lower right, clear of the HUD and the Chat button. */
const MOVE_THUMB = { x: 140, y: 270 };
const AIM_THUMB = { x: 700, y: 270 };
/** How far a thumb drags from where it landed, CSS px (the stick's radius is 56). */
const DRAG_PX = 48;

interface ServerPlayer {
  x: number;
  y: number;
  aimRad: number;
}

describe('touch controls on a phone', { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  const pageErrors: string[] = [];
  let phone: Page;
  let touch: CDPSession;
  let roomId = '';
  let sessionId = '';

  const openPhone = (label: string, viewport: { width: number; height: number }): Promise<Page> =>
    openGamePage(browser, label, t.url, { errors: pageErrors, viewport, touch: true });

  /** Our player as the server holds it. */
  function serverPlayer(): ServerPlayer {
    const p = t.colyseus.getRoomById<ArenaRoom>(roomId)?.state.players.get(sessionId);
    assert.ok(p, 'the phone player is in the server room');
    return { x: p.x, y: p.y, aimRad: p.aimRad };
  }

  /** Shots of ours the server has in flight now. */
  function serverShots(): number {
    let n = 0;
    t.colyseus.getRoomById<ArenaRoom>(roomId)?.state.projectiles.forEach((shot) => {
      if (shot.ownerId === sessionId) n += 1;
    });
    return n;
  }

  type Finger = { id: number; x: number; y: number };
  const send = (type: 'touchStart' | 'touchMove' | 'touchEnd', fingers: Finger[]): Promise<unknown> =>
    touch.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: fingers.map((f) => ({ id: f.id, x: f.x, y: f.y, radiusX: 8, radiusY: 8, force: 1 })),
    });

  /** Put a finger down at `from` and drag it `DRAG_PX` along `angleRad` in a few steps; `others` stay down. */
  async function dragThumb(id: number, from: { x: number; y: number }, angleRad: number, others: Finger[] = []) {
    await send('touchStart', [...others, { id, ...from }]);
    const steps = 4;
    let finger: Finger = { id, ...from };
    for (let i = 1; i <= steps; i++) {
      const d = (DRAG_PX * i) / steps;
      finger = { id, x: from.x + Math.cos(angleRad) * d, y: from.y + Math.sin(angleRad) * d };
      await send('touchMove', [...others, finger]);
    }
    return finger;
  }

  /** Wait until the server has applied every input the phone sent so far, and `more` after them. */
  async function settle(more = 0): Promise<void> {
    const sent = await phone.evaluate(() => window.__arena!.netStats()!.sent);
    await phone.waitForFunction((n) => window.__arena!.netStats()!.acked >= n, sent + more, { timeout: 5000 });
  }

  /** Direction from the player to the middle of the hall: open floor from every spawn point. */
  function towardCentre(p: ServerPlayer): number {
    return Math.atan2(ARENA_MAP.heightPx / 2 - p.y, ARENA_MAP.widthPx / 2 - p.x);
  }

  /** Moved at least `minPx`, within 30° of `angleRad` (the stick gives the nearest of 8 directions: ≤ 22.5° off). */
  function movedAlong(from: ServerPlayer, to: ServerPlayer, angleRad: number, minPx: number): boolean {
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const dist = Math.hypot(dx, dy);
    return dist >= minPx && (dx * Math.cos(angleRad) + dy * Math.sin(angleRad)) / dist >= Math.cos(Math.PI / 6);
  }

  before(async () => {
    assert.ok(existsSync(CLIENT_INDEX), `${CLIENT_INDEX} is missing: build the client first (npx vite build)`);
    t = await bootTestApp({ ROUND_DURATION_MS: '600000' });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await t?.colyseus.shutdown();
  });

  it('joins by tapping Quick Play and shows the sticks and the Chat button', async () => {
    phone = await openPhone('phone', LANDSCAPE);
    await phone.fill('.name-input', 'Thumbs');
    await phone.tap('button:has-text("Quick Play")');
    await phone.waitForFunction(() => window.__arena?.scene() === 'game', null, { timeout: 10_000 });
    roomId = (await phone.evaluate(() => window.__arena!.roomId())) ?? '';
    sessionId = (await phone.evaluate(() => window.__arena!.sessionId())) ?? '';
    await waitFor(
      () => t.colyseus.getRoomById<ArenaRoom>(roomId)?.state.players.has(sessionId) === true,
      'the server seat',
    );

    assert.equal(await phone.evaluate(() => document.documentElement.classList.contains('touch')), true);
    assert.equal(await phone.isVisible('[data-stick="move"]'), true, 'move stick shown');
    assert.equal(await phone.isVisible('[data-stick="aim"]'), true, 'aim stick shown');
    assert.equal(await phone.isVisible('button.touch-chat'), true, 'Chat button shown');
    assert.equal(await phone.isVisible('.hint'), false, 'no keyboard hint on a phone');
    touch = await phone.context().newCDPSession(phone);
  });

  it("moves the player on the server in the left stick's direction", async () => {
    const start = serverPlayer();
    const angle = towardCentre(start);
    await dragThumb(1, MOVE_THUMB, angle);
    try {
      await waitFor(
        () => movedAlong(start, serverPlayer(), angle, 40),
        'the server to move the player along the stick',
      );
    } finally {
      await send('touchEnd', []);
    }
    // Let go and the player stops: once every input sent before the release is applied, more inputs move nothing.
    await settle();
    const stopped = serverPlayer();
    await settle(6);
    assert.deepEqual({ x: serverPlayer().x, y: serverPlayer().y }, { x: stopped.x, y: stopped.y }, 'stopped');
  });

  it('moves and fires at once with two thumbs: the server gets shots aimed where the right stick points', async () => {
    assert.equal(serverShots(), 0, 'no shot before the aim stick');
    const start = serverPlayer();
    const moveAngle = towardCentre(start);
    // Fire straight back at the wall behind: any direction works, this one keeps the picture readable.
    const aimAngle = moveAngle + Math.PI / 2;
    const moveFinger = await dragThumb(1, MOVE_THUMB, moveAngle);
    await dragThumb(2, AIM_THUMB, aimAngle, [moveFinger]);
    try {
      await waitFor(() => serverShots() > 0, 'a shot of ours on the server', 5000);
      await waitFor(() => movedAlong(start, serverPlayer(), moveAngle, 30), 'the player to keep moving while firing');
      const aim = serverPlayer().aimRad;
      const off = Math.abs(Math.atan2(Math.sin(aim - aimAngle), Math.cos(aim - aimAngle)));
      assert.ok(off < 0.02, `server aim ${aim} vs stick ${aimAngle}`);
      // Both thumbs down, shots in the air: the README picture.
      await phone.waitForFunction(() => window.__arena!.projectiles() >= 2, null, { timeout: 5000 });
      const shot = screenshotPath('phone.png');
      mkdirSync(path.dirname(shot), { recursive: true });
      await phone.screenshot({ path: shot });
    } finally {
      await send('touchEnd', []);
    }
    // A thumb resting inside the fire ring aims without firing.
    await settle();
    await waitFor(() => serverShots() === 0, 'the shots to land', 5000);
    const fired = async () => (await phone.evaluate(() => window.__arena!.netStats()!.shots.predicted)) ?? 0;
    const firedBefore = await fired();
    let serverShotsSeen = 0;
    const watch = setInterval(() => (serverShotsSeen = Math.max(serverShotsSeen, serverShots())), 10);
    try {
      await send('touchStart', [{ id: 3, ...AIM_THUMB }]);
      // 20 px of the stick's 56: past the aim dead zone (0.2), short of the fire ring (0.55).
      await send('touchMove', [{ id: 3, x: AIM_THUMB.x + 20, y: AIM_THUMB.y }]);
      await settle(10);
      await send('touchEnd', []);
    } finally {
      clearInterval(watch);
    }
    // The client predicts a shot for exactly the inputs that fire (the server's rules), so none predicted is none sent.
    assert.equal(await fired(), firedBefore, 'no shot from a thumb inside the fire ring');
    assert.equal(serverShotsSeen, 0, 'no shot on the server either');
    assert.ok(Math.abs(serverPlayer().aimRad) < 0.02, `aimed right without firing: ${serverPlayer().aimRad}`);
  });

  it('opens chat from the Chat button and sends a line', async () => {
    await phone.tap('button.touch-chat');
    await phone.waitForFunction(() => document.activeElement?.classList.contains('chat-input') === true, null, {
      timeout: 3000,
    });
    await phone.keyboard.type('hi from my phone');
    await phone.keyboard.press('Enter');
    await phone.waitForFunction(
      () => /hi from my phone/u.test(document.querySelector('.game-ui .chat-log')?.textContent ?? ''),
      null,
      { timeout: 5000 },
    );
    assert.equal(await phone.evaluate(() => document.activeElement?.classList.contains('chat-input')), false);
  });

  for (const [label, viewport] of [
    ['landscape', LANDSCAPE],
    ['portrait', PORTRAIT],
  ] as const) {
    it(`lays the game out on a phone in ${label}: HUD, sticks and buttons apart, the middle left to play`, async () => {
      await assertGameLayout(phone, viewport, UI_BOXES);
      if (label === 'portrait') await phone.screenshot({ path: screenshotPath('phone-portrait.png') });
    });
  }

  it("keeps a private room's invite link clear of the HUD, the sticks and the middle, both ways", async () => {
    const host = await openPhone('host', LANDSCAPE);
    await host.fill('.name-input', 'Host');
    await host.tap('button:has-text("Create private room")');
    await host.waitForFunction(() => window.__arena?.scene() === 'game', null, { timeout: 10_000 });
    await host.waitForSelector('[data-testid="invite-box"]', { timeout: 5000 });
    for (const viewport of [LANDSCAPE, PORTRAIT]) {
      await assertGameLayout(host, viewport, [...UI_BOXES, '[data-testid="invite-box"]']);
      // Its Copy button is a thumb target too (the watch link's row is left off phones).
      const buttons = await host.locator('[data-testid="invite-box"] button:visible').all();
      assert.ok(buttons.length >= 1, 'the invite box shows its Copy button');
      for (const button of buttons) {
        const box = await button.boundingBox();
        assert.ok(box && box.height >= 36, `${await button.textContent()} is ${box?.height} px tall`);
      }
    }
  });

  it('lays out a spectator on a phone: the bar clear of the HUD and the middle, no aim stick', async () => {
    const watcher = await openPhone('watcher', LANDSCAPE);
    await watcher.tap(`tr[data-room-id="${roomId}"] button:has-text("Watch")`);
    await watcher.waitForSelector('[data-testid="spectator-bar"]', { timeout: 10_000 });
    const boxes = [...UI_BOXES.filter((b) => !b.includes('aim')), '[data-testid="spectator-bar"]'];
    for (const viewport of [LANDSCAPE, PORTRAIT]) {
      await assertGameLayout(watcher, viewport, boxes);
      assert.equal(await watcher.isVisible('[data-stick="aim"]'), false, 'a spectator has nothing to aim');
    }
  });

  for (const [label, viewport] of [
    ['portrait', PORTRAIT],
    ['landscape', LANDSCAPE],
  ] as const) {
    it(`fits the lobby on a phone in ${label}: no sideways scrolling, buttons big enough to tap`, async () => {
      const page = await openPhone(`lobby-${label}`, viewport);
      await page.waitForSelector(`tr[data-room-id="${roomId}"]`, { timeout: 5000 });
      const buttons = await assertFitsSideways(page, '.lobby');
      const labels = buttons.map((b) => b.text);
      for (const name of ['Quick Play', 'Create private room', 'Join']) assert.ok(labels.includes(name), name);
      // The one everybody presses gets the full 44 px thumb target.
      const quickPlay = buttons.find((b) => b.text === 'Quick Play')!;
      assert.ok(quickPlay.height >= 44, `Quick Play is ${quickPlay.height} px tall`);
    });
  }

  it('raised no uncaught errors in any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
