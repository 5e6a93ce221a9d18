/** The remote interpolation delay: sized from measured snapshot jitter, slewed, capped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AdaptiveDelay,
  DELAY_FALL_MS_PER_S,
  DELAY_RISE_MS_PER_S,
  MAX_INTERP_DELAY_MS,
  MIN_DELAY_INTERVALS,
  slewDelayMs,
  targetDelayMs,
} from '../../client/net/interpDelay.ts';
import { seededRandom } from '../../shared/random.ts';

const INTERVAL = 1000 / 30;

/** Feed `n` snapshots sent every interval, each arriving `latency()` ms after it was sent; frames at 60 Hz. Returns the final delay. */
function run(delay: AdaptiveDelay, n: number, latency: (i: number) => number, startMs = 0): number {
  let last = 0;
  for (let i = 0; i < n; i++) {
    const sent = startMs + i * INTERVAL;
    delay.observe(sent + latency(i), sent);
    last = delay.frame(sent + INTERVAL / 2);
    last = delay.frame(sent + INTERVAL);
  }
  return last;
}

describe('targetDelayMs', () => {
  it('is one and a half intervals on a perfect link', () => {
    assert.equal(targetDelayMs(INTERVAL, 0), MIN_DELAY_INTERVALS * INTERVAL);
  });

  it('grows with jitter and stops at the cap', () => {
    assert.ok(targetDelayMs(INTERVAL, 10) > targetDelayMs(INTERVAL, 5));
    assert.ok(targetDelayMs(INTERVAL, 30) > 2 * INTERVAL);
    assert.equal(targetDelayMs(INTERVAL, 1e6), MAX_INTERP_DELAY_MS);
    assert.equal(targetDelayMs(INTERVAL, Number.NaN), targetDelayMs(INTERVAL, 0));
  });
});

describe('slewDelayMs', () => {
  it('rises and falls no faster than its rates, and never past the target', () => {
    assert.equal(slewDelayMs(50, 200, 100), 50 + DELAY_RISE_MS_PER_S * 0.1);
    assert.equal(slewDelayMs(150, 50, 1000), 150 - DELAY_FALL_MS_PER_S);
    assert.equal(slewDelayMs(50, 55, 1000), 55);
    assert.equal(slewDelayMs(60, 55, 10_000), 55);
    assert.equal(slewDelayMs(60, 100, -5), 60, 'time never runs backwards');
  });
});

describe('AdaptiveDelay', () => {
  it('stays near its floor on a steady link, whatever the latency', () => {
    for (const latencyMs of [1, 50, 200]) {
      const d = new AdaptiveDelay(INTERVAL);
      const delay = run(d, 300, () => latencyMs);
      assert.ok(Math.abs(delay - MIN_DELAY_INTERVALS * INTERVAL) < 1e-6, `${latencyMs} ms latency: ${delay}`);
      assert.ok(d.jitterMs < 1e-6);
    }
  });

  it('grows on a jittery link, more for more jitter, and shrinks slowly once it calms', () => {
    const random = seededRandom(7);
    const mild = new AdaptiveDelay(INTERVAL);
    const mildDelay = run(mild, 300, () => 50 + (random() * 2 - 1) * 15);
    const rough = new AdaptiveDelay(INTERVAL);
    const roughDelay = run(rough, 300, () => 50 + (random() * 2 - 1) * 40);
    assert.ok(mildDelay > MIN_DELAY_INTERVALS * INTERVAL, `mild ${mildDelay}`);
    assert.ok(roughDelay > mildDelay + 10, `rough ${roughDelay} vs mild ${mildDelay}`);
    assert.ok(roughDelay < MAX_INTERP_DELAY_MS);

    // Calm again: the estimate falls within a second, the delay follows at its slow rate.
    const before = roughDelay;
    const after1s = run(rough, 30, () => 50, 300 * INTERVAL);
    assert.ok(after1s < before && after1s >= before - DELAY_FALL_MS_PER_S * 1.05, `${before} → ${after1s}`);
    const after20s = run(rough, 600, () => 50, 330 * INTERVAL);
    assert.ok(after20s < MIN_DELAY_INTERVALS * INTERVAL + 2, `settles back: ${after20s}`);
  });

  it('is not thrown up by one retransmission, and stays capped under a storm', () => {
    const d = new AdaptiveDelay(INTERVAL);
    // One chunk held 200 ms; the ones behind it arrive together once it is through.
    const held = (i: number): number => (i >= 100 && i < 106 ? 50 + 200 - (i - 100) * INTERVAL : 50);
    let worst = 0;
    for (let i = 0; i < 200; i++) {
      const sent = i * INTERVAL;
      d.observe(sent + held(i), sent);
      worst = Math.max(worst, d.frame(sent + INTERVAL));
    }
    assert.ok(worst < (2 * MAX_INTERP_DELAY_MS) / 3, `worst delay after one retransmission: ${worst}`);

    // A storm of large jitter: grows to its most (stalls count as two intervals), never past the cap.
    const random = seededRandom(3);
    const storm = new AdaptiveDelay(INTERVAL);
    const stormy = run(storm, 600, () => 50 + random() * 600);
    assert.ok(stormy > 5 * INTERVAL && stormy <= MAX_INTERP_DELAY_MS, `storm delay ${stormy}`);
    assert.ok(targetDelayMs(INTERVAL, 1e6) === MAX_INTERP_DELAY_MS);
  });

  it('ignores stamps that are not numbers', () => {
    const d = new AdaptiveDelay(INTERVAL);
    d.observe(Number.NaN, 5);
    d.observe(10, Number.POSITIVE_INFINITY);
    assert.equal(d.jitterMs, 0);
  });
});

describe('AdaptiveDelay.serverTimeAt', () => {
  it('reads the server clock off the quickest recent snapshot, not the average one', () => {
    const d = new AdaptiveDelay(INTERVAL);
    assert.ok(Number.isNaN(d.serverTimeAt(0)));
    const random = seededRandom(11);
    // Server time = local time − 1000; transit 40–60 ms.
    for (let i = 0; i < 60; i++) {
      const sentLocal = 2000 + i * INTERVAL;
      d.observe(sentLocal + 40 + random() * 20, sentLocal - 1000);
    }
    const estimate = d.serverTimeAt(5000);
    assert.ok(
      estimate <= 5000 - 1000 - 40 + 1e-9 && estimate > 5000 - 1000 - 42,
      `server time ${estimate}: one quickest transit (≈40 ms) behind`,
    );
  });

  it('forgets a quick delivery after a few seconds, so a slower route is followed', () => {
    const d = new AdaptiveDelay(INTERVAL);
    d.observe(10, 0);
    for (let i = 1; i <= 200; i++) d.observe(i * INTERVAL + 80, i * INTERVAL);
    assert.ok(Math.abs(d.serverTimeAt(1000) - (1000 - 80)) < 1e-6);
  });
});
