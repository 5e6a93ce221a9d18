/**
 * The room's lag-compensation history (server/game/lagHistory.ts) against
 * Colyseus's own Rewind over the same records: the same positions to the bit
 * at any lag (interpolated, clamped to the window, before the first record,
 * for players who joined late, with several records at one instant as a
 * catch-up of steps makes), and a bounding box that holds every one of them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rewind, type Room } from '@colyseus/core';
import { seededRandom } from '../../shared/random.ts';
import { MAX_REWIND_MS, TICK_RATE_HZ } from '../../shared/constants.ts';
import { ArenaState, Player } from '../../shared/state.ts';
import { LagHistory } from '../../server/game/lagHistory.ts';

const STEP_MS = 1000 / TICK_RATE_HZ;

describe('LagHistory', () => {
  it('answers as Colyseus Rewind does, bit for bit, and its box holds every answer', () => {
    const random = seededRandom(3);
    const state = new ArenaState();
    const rewind = Rewind.get({} as Room, { maxRewindMs: MAX_REWIND_MS });
    rewind.attachAll(state.players, { fields: ['x', 'y'] });
    const history = new LagHistory(MAX_REWIND_MS, STEP_MS);
    const out = { x: 0, y: 0 };
    const box = { minX: 0, minY: 0, maxX: 0, maxY: 0 };
    let now = 5;
    let checks = 0;
    for (let step = 0; step < 400; step++) {
      // Players come and go; some jump (a respawn) instead of walking.
      if (state.players.size < 12 && random() < 0.1) {
        const p = new Player();
        p.x = Math.fround(random() * 1600);
        p.y = Math.fround(random() * 1000);
        state.players.set(`p${step}`, p);
      }
      if (state.players.size > 2 && random() < 0.03) state.players.delete([...state.players.keys()][0]!);
      for (const p of state.players.values()) {
        const jump = random() < 0.02;
        p.x = Math.fround(jump ? random() * 1600 : p.x + (random() - 0.5) * 14);
        p.y = Math.fround(jump ? random() * 1000 : p.y + (random() - 0.5) * 14);
      }
      // A catch-up runs several steps at one instant; otherwise time moves on unevenly.
      if (random() > 0.15) now += STEP_MS * (0.5 + random());
      rewind.record(now, STEP_MS);
      history.record(now, state.players.values());
      // The live positions move on before the hit tests, as a step moves players first.
      for (const p of state.players.values()) p.x = Math.fround(p.x + 1);
      for (const p of state.players.values()) {
        for (const lag of [0, 1, STEP_MS / 3, STEP_MS, 95.5, 250, MAX_REWIND_MS, 700, now + 50]) {
          const expected =
            lag <= 0
              ? { x: p.x, y: p.y }
              : (() => {
                  const view = rewind.at(rewind.lastRecordedAt - lag);
                  return { x: view.value(p, 'x'), y: view.value(p, 'y') };
                })();
          history.positionAgo(p, lag, out);
          assert.ok(Object.is(out.x, expected.x) && Object.is(out.y, expected.y), `step ${step}, lag ${lag}`);
          history.boundsOf(p, box);
          assert.ok(out.x >= box.minX && out.x <= box.maxX && out.y >= box.minY && out.y <= box.maxY);
          checks++;
        }
      }
    }
    assert.ok(checks > 10_000, `${checks} checks`);
  });
});
