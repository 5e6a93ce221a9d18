/**
 * The leaderboard as a player meets it, in a real browser against the real
 * server with a real Redis (the boards are Redis sorted sets): Alice quick-
 * plays, shoots Bob (an SDK player) dead in a short round, and when the round
 * ends the round-over screen shows her on top of today's board, highlighted
 * as her own entry. Back in the lobby the board shows her there too, and a
 * second browser (another identity) sees her entry but not as its own.
 * Positions are arranged by writing the server room's state, as the room
 * tests do; the shots are the browser's own, held trigger aimed by the mouse.
 *
 * Needs dist/client (scripts/test.sh builds it), Debian's chromium and redis-server.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Room } from '@colyseus/sdk';
import type { Browser, Page } from 'playwright-core';
import { LeaderboardRoute, type LeaderboardPage } from '../../shared/leaderboard.ts';
import type { ArenaState } from '../../shared/state.ts';
import type { ArenaRoom } from '../../server/rooms/ArenaRoom.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { startRedis, stopAll, type RedisServer } from '../../harness/cluster.ts';
import { waitFor } from '../../harness/net.ts';
import { launchChromium, openGamePage, quickPlay } from '../../harness/browser.ts';
import { newIdentity } from '../helpers/leaderboard.ts';

const CLIENT_INDEX = path.resolve('dist/client/index.html');
/** Long enough to join, line up and land four shots on a busy machine; short enough to wait for. */
const ROUND_DURATION_MS = 15_000;
/** A horizontal lane with no cover (walls end at y 300 and start at y 420). */
const LANE_Y = 360;

/** The rows a leaderboard panel shows: name, wins, kills, and whether it is highlighted as ours. */
async function boardRows(
  page: Page,
  testId: string,
): Promise<Array<{ name: string; wins: string; kills: string; own: boolean }>> {
  return page.$$eval(`[data-testid="${testId}"] tbody tr[data-rank]`, (rows) =>
    rows.map((tr) => ({
      name: tr.querySelector('.leader-name')?.textContent ?? '',
      wins: tr.querySelector('.leader-wins')?.textContent ?? '',
      kills: tr.querySelector('.leader-kills')?.textContent ?? '',
      own: tr.classList.contains('me'),
    })),
  );
}

describe('leaderboard in the browser', { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let t: TestApp;
  let browser: Browser;
  const pageErrors: string[] = [];
  let alice: Page;
  let bob: Room<ArenaRoom, ArenaState> | undefined;

  const openPage = (label: string): Promise<Page> =>
    openGamePage(browser, label, t.url, { errors: pageErrors, viewport: { width: 1280, height: 800 } });

  before(async () => {
    assert.ok(existsSync(CLIENT_INDEX), `${CLIENT_INDEX} is missing: build the client first (npx vite build)`);
    redis = await startRedis();
    t = await bootTestApp({ REDIS_URL: redis.url, ROUND_DURATION_MS: String(ROUND_DURATION_MS) });
    browser = await launchChromium();
  });

  after(async () => {
    await bob?.leave().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await t?.colyseus.shutdown();
    await stopAll();
  });

  it('shows an empty board in the lobby before anyone has scored', async () => {
    alice = await openPage('alice');
    await alice.waitForFunction(
      () =>
        /Nobody has scored today/u.test(document.querySelector('[data-testid="lobby-leaderboard"]')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    );
    assert.deepEqual(await boardRows(alice, 'lobby-leaderboard'), []);
  });

  it('shows the round’s winner, highlighted as her own, on the round-over screen', async () => {
    await quickPlay(alice, 'Alice');
    const roomId = (await alice.evaluate(() => window.__arena!.roomId()))!;
    const aliceId = (await alice.evaluate(() => window.__arena!.sessionId()))!;
    bob = await t.colyseus.sdk.joinById<ArenaRoom>(roomId, {
      name: 'Bob',
      identity: newIdentity(),
    });
    bob.onMessage('*', () => undefined);
    const bobId = bob.sessionId;

    // Line the two up across the open lane, Bob in Alice's range.
    const room = t.colyseus.getRoomById<ArenaRoom>(roomId);
    Object.assign(room.state.players.get(aliceId)!, { x: 500, y: LANE_Y });
    Object.assign(room.state.players.get(bobId)!, { x: 900, y: LANE_Y });
    await alice.waitForFunction(
      ([y]) => window.__arena!.renderedPlayers().every((p) => Math.abs(p.y - y!) < 1),
      [LANE_Y],
      { timeout: 10_000 },
    );

    // Alice holds the trigger with the mouse on Bob until he falls (the camera may still be settling: re-aim).
    await alice.mouse.down();
    try {
      await waitFor(
        async () => {
          const at = await alice.evaluate(() => {
            const target = window.__arena!.renderedPlayers().find((p) => p.name === 'Bob');
            return target ? window.__arena!.worldToPage(target.x, target.y) : null;
          });
          if (at) await alice.mouse.move(at.x, at.y);
          return bob!.state.players.get(bobId)?.alive === false;
        },
        'Alice to shoot Bob dead',
        10_000,
        100,
      );
    } finally {
      await alice.mouse.up();
    }
    assert.equal(bob.state.players.get(aliceId)?.kills, 1);

    // The round ends; once it is on the board the round-over screen shows it.
    await alice.waitForSelector('[data-testid="round-leaderboard"]:not(.hidden) tbody tr.me', {
      timeout: ROUND_DURATION_MS + 10_000,
    });
    assert.match((await alice.textContent('.overlay.scoreboard .overlay-title')) ?? '', /Round 1/u);
    assert.deepEqual(await boardRows(alice, 'round-leaderboard'), [
      { name: 'Alice', wins: '1', kills: '1', own: true },
    ]);
  });

  it('keeps the result in Redis and shows it in the lobby, highlighted only for its owner', async () => {
    const page = (await (await fetch(`${t.url}${LeaderboardRoute}?board=alltime`)).json()) as LeaderboardPage;
    assert.deepEqual(page.entries, [{ rank: 1, name: 'Alice', wins: 1, kills: 1 }]);
    const keys = await redis.client.keys('arena:{lb}:*');
    assert.ok(
      keys.some((k) => k.startsWith('arena:{lb}:daily:')),
      `Redis keys: ${keys.join(', ')}`,
    );

    await alice.click('button:has-text("Leave")');
    await alice.waitForFunction(() => window.__arena?.scene() === 'lobby', null, { timeout: 10_000 });
    await alice.waitForSelector('[data-testid="lobby-leaderboard"] tbody tr.me', { timeout: 10_000 });
    assert.deepEqual(await boardRows(alice, 'lobby-leaderboard'), [
      { name: 'Alice', wins: '1', kills: '1', own: true },
    ]);
    await alice.click('[data-testid="lobby-leaderboard"] button[data-board="alltime"]');
    await alice.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="lobby-leaderboard"] button[data-board="alltime"]')
          ?.classList.contains('active'),
      null,
      { timeout: 5000 },
    );
    await alice.waitForSelector('[data-testid="lobby-leaderboard"] tbody tr.me', { timeout: 10_000 });

    const carol = await openPage('carol');
    await carol.waitForSelector('[data-testid="lobby-leaderboard"] tbody tr[data-rank]', { timeout: 10_000 });
    assert.deepEqual(await boardRows(carol, 'lobby-leaderboard'), [
      { name: 'Alice', wins: '1', kills: '1', own: false },
    ]);
    const identities = await Promise.all(
      [alice, carol].map((p) => p.evaluate(() => window.localStorage.getItem('arena.identity'))),
    );
    assert.match(identities[0] ?? '', /^[0-9a-f]{32}$/u);
    assert.notEqual(identities[0], identities[1], 'each browser has its own identity');
  });

  it('raised no uncaught errors in any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
