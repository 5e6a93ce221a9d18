/**
 * A real browser player for the feel harness: Debian's chromium (driven by
 * playwright-core) opens the game page through the impairment proxy, quick
 * plays into the harness room, strafes and shoots at the nearest player it
 * draws, and reports what the page itself measured through its test hook
 * (`window.__arena`): corrections, shot verdicts, the adaptive delay. It
 * also times input → own screen in frames, in the page: from the keydown
 * to the first animation frame that draws our player moved.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openGamePage, quickPlay } from '../../harness/browser.ts';
import type { NetStats } from '../../client/testHook.ts';

/** In the page: frames from each a/d keydown to the first animation frame that draws our player moved that way. */
const OWN_FRAMES_SCRIPT = `(() => {
  window.__feelOwn = [];
  let pending;
  function me() { return window.__arena.renderedPlayers().find(function (p) { return p.local; }); }
  window.addEventListener('keydown', function (e) {
    if (e.repeat || (e.key !== 'a' && e.key !== 'd')) return;
    const p = me();
    if (p) pending = { dir: e.key === 'd' ? 1 : -1, x: p.x, frames: 0 };
  }, true);
  function loop() {
    if (pending) {
      const p = me();
      if (p && (p.x - pending.x) * pending.dir > 0.5) { window.__feelOwn.push(pending.frames); pending = undefined; }
      else if (++pending.frames > 30) pending = undefined;
    }
    requestAnimationFrame(loop);
  }
  requestAnimationFrame(loop);
})()`;

export interface BrowserFeel {
  stats: NetStats;
  /** Frames (requestAnimationFrame) from a keydown to our drawn player moving that way. */
  ownFrames: number[];
}

export class BrowserPlayer {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async join(url: string, name: string): Promise<BrowserPlayer> {
    const browser = await launchChromium();
    const page = await openGamePage(browser, name, url, { timeoutMs: 20_000 });
    await quickPlay(page, name, 20_000);
    // In-page: frames from each keydown to the first frame that draws our player moved in its direction.
    // A string, not a function: the bundler's helpers (named arrow functions) do not exist in the page.
    await page.evaluate(OWN_FRAMES_SCRIPT);
    return new BrowserPlayer(browser, page);
  }

  /** Play for `durationMs`: stand, then strafe one way for a while, the trigger held at the nearest player drawn. */
  async play(durationMs: number): Promise<void> {
    const page = this.page;
    const end = Date.now() + durationMs;
    let right = true;
    while (Date.now() < end) {
      await this.aim();
      await page.mouse.down();
      await page.waitForTimeout(250); // stand still, so the next key starts a move from rest
      const key = right ? 'd' : 'a';
      await page.keyboard.down(key);
      for (let t = 0; t < 4; t++) {
        await page.waitForTimeout(150);
        await this.aim();
      }
      await page.keyboard.up(key);
      right = !right;
    }
    await page.mouse.up();
  }

  private async aim(): Promise<void> {
    const at = await this.page.evaluate(() => {
      const hook = window.__arena!;
      const players = hook.renderedPlayers();
      const me = players.find((p) => p.local);
      if (!me) return null;
      let best: { x: number; y: number } | null = null;
      let bestD = Infinity;
      for (const p of players) {
        if (p.local || !p.alive) continue;
        const d = Math.hypot(p.x - me.x, p.y - me.y);
        if (d < bestD) {
          bestD = d;
          best = { x: p.x, y: p.y };
        }
      }
      return best ? hook.worldToPage(best.x, best.y) : null;
    });
    if (at) await this.page.mouse.move(at.x, at.y);
  }

  /** What the page measured. */
  async feel(): Promise<BrowserFeel> {
    return this.page.evaluate(() => ({
      stats: window.__arena!.netStats()!,
      ownFrames: Reflect.get(window, '__feelOwn') as number[],
    }));
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
