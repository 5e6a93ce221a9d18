/**
 * Real Chromium pages on the game, set up one way for the browser tests and
 * the feel bench: Debian's chromium through playwright-core, one context per
 * player, page errors collected, the lobby waited for.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A page's size when a test does not choose one. */
export const DEFAULT_VIEWPORT = { width: 1280, height: 720 } as const;

/** Launch headless Chromium; throws saying how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface OpenOptions {
  /** Where each uncaught page error goes, prefixed by `label`. */
  errors?: string[];
  viewport?: { width: number; height: number };
  /** A phone: a mobile viewport with touch (and no mouse used). */
  touch?: boolean;
  /** How long the lobby may take to show, in ms. */
  timeoutMs?: number;
}

/** Open `url` in a fresh context (its own cookies and storage) and wait for the lobby. */
export async function openGamePage(
  browser: Browser,
  label: string,
  url: string,
  options: OpenOptions = {},
): Promise<Page> {
  const viewport = options.viewport ?? DEFAULT_VIEWPORT;
  const context = await browser.newContext(options.touch ? { viewport, isMobile: true, hasTouch: true } : { viewport });
  const page = await context.newPage();
  page.on('pageerror', (error) => options.errors?.push(`${label}: ${error.message}`));
  await page.goto(url);
  await inScene(page, 'lobby', options.timeoutMs);
  return page;
}

/** Wait until the page shows `scene` (its test hook says so). */
export async function inScene(page: Page, scene: 'lobby' | 'game', timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction((s) => window.__arena?.scene() === s, scene, { timeout: timeoutMs });
}

/** The id of the room the page plays or watches (null outside the game). */
export function roomIdOf(page: Page): Promise<string | null> {
  return page.evaluate(() => window.__arena?.roomId() ?? null);
}

/** From the lobby: type `name`, press `button` (its text), and wait for the game. */
async function joinAs(page: Page, name: string, button: string, timeoutMs: number): Promise<void> {
  await page.fill('.name-input', name);
  await page.click(`button:has-text("${button}")`);
  await inScene(page, 'game', timeoutMs);
}

/** From the lobby: type `name`, press Quick Play, and wait for the game. */
export function quickPlay(page: Page, name: string, timeoutMs = 15_000): Promise<void> {
  return joinAs(page, name, 'Quick Play', timeoutMs);
}

/** From the lobby: type `name`, make a private room, and wait for the game. */
export function createPrivateRoom(page: Page, name: string, timeoutMs = 15_000): Promise<void> {
  return joinAs(page, name, 'Create private room', timeoutMs);
}

/** From the lobby an invite link opened: type `name`, join the friend's room, and wait for the game. */
export function joinFriendsRoom(page: Page, name: string, timeoutMs = 15_000): Promise<void> {
  return joinAs(page, name, "Join friend's room", timeoutMs);
}

/**
 * Wait until `page` draws the player named `name` still: the same place
 * (within 0.01 px) for `frames` animation frames in a row. Interpolation and
 * smoothing have then caught up, whatever the machine's speed.
 */
export async function drawnAtRest(page: Page, name: string, frames = 10, timeoutMs = 10_000): Promise<void> {
  await page.waitForFunction(
    ([who, need]) => {
      const p = window.__arena?.renderedPlayers().find((q) => q.name === who);
      if (!p) return false;
      const key = `__atRest:${who}`;
      const last = Reflect.get(window, key) as { x: number; y: number; same: number } | undefined;
      const still = last !== undefined && Math.abs(last.x - p.x) < 0.01 && Math.abs(last.y - p.y) < 0.01;
      const same = still ? last.same + 1 : 0;
      Reflect.set(window, key, { x: p.x, y: p.y, same });
      return same >= need;
    },
    [name, frames] as const,
    { polling: 'raf', timeout: timeoutMs },
  );
}
