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
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../../harness/net.ts';
import { launchChromium } from '../../harness/browser.ts';

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
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let phone: Page;
  let touch: CDPSession;
  let roomId = '';
  let sessionId = '';

  async function openPhone(label: string, viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${label}: ${error.message}`));
    await page.goto(t.url);
    await page.waitForFunction(() => window.__arena?.scene() === 'lobby', null, { timeout: 10_000 });
    return page;
  }

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

  /**
   * Resize `page` to `viewport` and check the game UI there: every box in
   * `selectors` on screen, none over another, none over the middle 40 % of
   * the screen where the camera keeps the player.
   */
  async function assertGameLayout(
    page: Page,
    viewport: { width: number; height: number },
    selectors: readonly string[],
  ): Promise<void> {
    await page.setViewportSize(viewport);
    await page.waitForFunction(
      ([w, h]) => {
        const canvas = document.querySelector('#game canvas');
        return canvas?.clientWidth === w && canvas.clientHeight === h;
      },
      [viewport.width, viewport.height] as const,
      { timeout: 5000 },
    );
    const boxes = await page.evaluate((list) => {
      return list.map((selector) => {
        const r = document.querySelector(selector)!.getBoundingClientRect();
        return { selector, left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      });
    }, selectors);
    type Box = (typeof boxes)[number];
    const overlap = (a: Box, b: Box) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
    const size = `${viewport.width}×${viewport.height}`;
    const clashes: string[] = [];
    for (const [i, a] of boxes.entries()) {
      assert.ok(a.right - a.left > 0, `${a.selector} is shown at ${size}`);
      const inside = a.left >= 0 && a.top >= 0 && a.right <= viewport.width && a.bottom <= viewport.height;
      assert.ok(inside, `${a.selector} is on screen at ${size}: ${JSON.stringify(a)}`);
      for (const b of boxes.slice(i + 1)) {
        // The Leave button sits in the connection card's reserved corner by design.
        const nested = a.selector === '.hud-net' && b.selector === 'button.leave';
        if (!nested && overlap(a, b)) clashes.push(`${a.selector} × ${b.selector}`);
      }
    }
    assert.deepEqual(clashes, [], `game UI boxes overlapping at ${size}`);
    const middle = {
      selector: 'middle',
      left: viewport.width * 0.3,
      right: viewport.width * 0.7,
      top: viewport.height * 0.3,
      bottom: viewport.height * 0.7,
    };
    assert.deepEqual(
      boxes.filter((b) => overlap(b, middle)).map((b) => b.selector),
      [],
      `UI over the middle of the screen at ${size}`,
    );
  }

  before(async () => {
    assert.ok(existsSync(CLIENT_INDEX), `${CLIENT_INDEX} is missing: build the client first (npx vite build)`);
    t = await bootTestApp({ ROUND_DURATION_MS: '600000' });
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
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
      // The first row's Copy (the watch link's row is not shown on a phone).
      const copy = await host.locator('[data-testid="invite-box"] button').first().boundingBox();
      assert.ok(copy && copy.height >= 36, `Copy is ${copy?.height} px tall`);
    }
  });

  for (const [label, viewport] of [
    ['portrait', PORTRAIT],
    ['landscape', LANDSCAPE],
  ] as const) {
    it(`fits the lobby on a phone in ${label}: no sideways scrolling, buttons big enough to tap`, async () => {
      const page = await openPhone(`lobby-${label}`, viewport);
      await page.waitForSelector(`tr[data-room-id="${roomId}"]`, { timeout: 5000 });
      const report = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const sticking = [...document.querySelectorAll<HTMLElement>('.lobby *')]
          .filter((e) => e.getClientRects().length > 0)
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.left < -0.5 || r.right > width + 0.5;
          })
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
        const scrollers = [...document.querySelectorAll<HTMLElement>('.lobby, .lobby *')]
          .filter((e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
          .filter((e) => e.scrollWidth > e.clientWidth + 1)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth}>${e.clientWidth}`);
        const buttons = [...document.querySelectorAll<HTMLElement>('.lobby button')]
          .filter((e) => e.getClientRects().length > 0)
          .map((e) => ({ text: e.textContent, height: e.getBoundingClientRect().height }));
        return {
          pageScroll: document.documentElement.scrollWidth - width,
          sticking,
          scrollers,
          buttons,
        };
      });
      assert.ok(report.pageScroll <= 0, `page scrolls sideways by ${report.pageScroll} px`);
      assert.deepEqual(report.sticking, [], 'elements poking out of the screen');
      assert.deepEqual(report.scrollers, [], 'boxes that scroll sideways');
      assert.ok(
        report.buttons.length >= 3,
        `Quick Play, Create private room and Join: ${JSON.stringify(report.buttons)}`,
      );
      for (const b of report.buttons) assert.ok(b.height >= 36, `"${b.text}" is ${b.height} px tall`);
      const quickPlay = report.buttons.find((b) => b.text === 'Quick Play');
      assert.ok(quickPlay && quickPlay.height >= 44, `Quick Play is ${quickPlay?.height} px tall`);
    });
  }

  it('raised no uncaught errors in any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
