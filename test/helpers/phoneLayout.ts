/**
 * Layout checks for the phone browser test: the game UI's boxes apart and off
 * the middle of the screen, and a page region with nothing wider than the
 * screen and every button big enough for a thumb.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/**
 * Resize `page` to `viewport` and check the game UI there: every box in
 * `selectors` on screen, none over another, none over the middle 40 % of
 * the screen where the camera keeps the player.
 */
export async function assertGameLayout(
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

/** A button as shown: its label and height in CSS px. */
export interface ShownButton {
  text: string | null;
  height: number;
}

/**
 * Check that nothing under `root` pokes out of the screen sideways or makes a
 * box scroll sideways, and that its buttons are tap-sized (36 px tall at
 * least); returns those buttons for closer checks.
 */
export async function assertFitsSideways(page: Page, root: string): Promise<ShownButton[]> {
  const report = await page.evaluate((rootSelector) => {
    const width = document.documentElement.clientWidth;
    const all = [...document.querySelectorAll<HTMLElement>(`${rootSelector}, ${rootSelector} *`)];
    const shown = all.filter((e) => e.getClientRects().length > 0);
    const sticking = shown
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.left < -0.5 || r.right > width + 0.5;
      })
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    const scrollers = all
      .filter((e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth}>${e.clientWidth}`);
    const buttons = shown
      .filter((e) => e.tagName === 'BUTTON')
      .map((e) => ({ text: e.textContent, height: e.getBoundingClientRect().height }));
    return { pageScroll: document.documentElement.scrollWidth - width, sticking, scrollers, buttons };
  }, root);
  assert.ok(report.pageScroll <= 0, `page scrolls sideways by ${report.pageScroll} px`);
  assert.deepEqual(report.sticking, [], 'elements poking out of the screen');
  assert.deepEqual(report.scrollers, [], 'boxes that scroll sideways');
  for (const b of report.buttons) assert.ok(b.height >= 36, `"${b.text}" is ${b.height} px tall`);
  return report.buttons;
}
