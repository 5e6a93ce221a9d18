/** The match screen's pure parts: the HUD's values and overlay choice, the ping timer, and world-to-page mapping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoundPhase } from '../../shared/state.ts';
import { hudModel, overlayFor, type MatchView } from '../../client/ui/hudModel.ts';
import { startPingTimer } from '../../client/net/pingTimer.ts';
import { worldToPage } from '../../client/render/pageMapping.ts';

const base: MatchView = {
  joinedAs: 'Alice',
  spectating: false,
  me: undefined,
  localAlive: false,
  round: undefined,
  players: 0,
  roomId: 'r1',
  pingMs: null,
  rttMs: 0,
};
const me = { name: 'Alice 2', hp: 3, kills: 4, deaths: 1, score: 7 };

describe('HUD model', () => {
  it('shows the joined name and zeros until our player arrives', () => {
    assert.deepEqual(hudModel(base), {
      name: 'Alice',
      hp: 0,
      alive: false,
      kills: 0,
      deaths: 0,
      score: 0,
      round: 1,
      phase: RoundPhase.Playing,
      secondsLeft: 0,
      pingMs: null,
      players: 0,
      roomId: 'r1',
    });
    assert.equal(overlayFor(base), 'none', 'no death card before we exist');
  });

  it('says "Spectating" while we watch without a player, and our name once we step in', () => {
    assert.equal(hudModel({ ...base, spectating: true }).name, 'Spectating');
    assert.equal(overlayFor({ ...base, spectating: true }), 'none', 'no death card for a spectator');
    assert.equal(hudModel({ ...base, spectating: true, me, localAlive: true }).name, 'Alice 2');
  });

  it("shows our player's figures (the server's name for us) and the round", () => {
    const view: MatchView = {
      ...base,
      me,
      localAlive: true,
      round: { number: 3, phase: RoundPhase.Playing, secondsLeft: 42 },
      players: 5,
    };
    const hud = hudModel(view);
    assert.equal(hud.name, 'Alice 2');
    assert.deepEqual([hud.hp, hud.kills, hud.deaths, hud.score], [3, 4, 1, 7]);
    assert.deepEqual([hud.round, hud.secondsLeft, hud.players], [3, 42, 5]);
    assert.equal(overlayFor(view), 'none');
  });

  it('prefers a ping answer to the SDK estimate, and shows nothing before either', () => {
    assert.equal(hudModel({ ...base, rttMs: 48 }).pingMs, 48);
    assert.equal(hudModel({ ...base, rttMs: 48, pingMs: 51 }).pingMs, 51);
    assert.equal(hudModel({ ...base, rttMs: 0 }).pingMs, null);
  });

  it('puts the scoreboard up between rounds, dead or alive, and the death card only while dead in play', () => {
    const scoreboard = { number: 2, phase: RoundPhase.Scoreboard, secondsLeft: 8 };
    assert.equal(overlayFor({ ...base, me, localAlive: false, round: scoreboard }), 'scoreboard');
    assert.equal(overlayFor({ ...base, me, localAlive: true, round: scoreboard }), 'scoreboard');
    const playing = { number: 2, phase: RoundPhase.Playing, secondsLeft: 100 };
    assert.equal(overlayFor({ ...base, me, localAlive: false, round: playing }), 'death');
    assert.equal(overlayFor({ ...base, me, localAlive: true, round: playing }), 'none');
  });
});

describe('ping timer', () => {
  it('pings at once, not while paused, and stops', () => {
    let paused = false;
    const rtts: number[] = [];
    let pings = 0;
    const stop = startPingTimer(
      {
        ping: (cb) => {
          pings += 1;
          cb(20 + pings);
        },
      },
      { everyMs: 60_000, paused: () => paused, onRtt: (ms) => rtts.push(ms) },
    );
    assert.deepEqual(rtts, [21], 'the first ping goes at start');
    stop();
    paused = true;
    const stopPaused = startPingTimer(
      { ping: () => assert.fail('pinged while paused') },
      {
        everyMs: 60_000,
        paused: () => paused,
        onRtt: () => undefined,
      },
    );
    stopPaused();
    assert.equal(pings, 1);
  });
});

describe('world to page', () => {
  it('applies the camera scroll and zoom, then the canvas scaling and offset', () => {
    const cam = { x: 0, y: 0, zoom: 2, worldView: { x: 100, y: 50 } };
    // A 1600×900 game drawn into an 800×450 CSS box at (10, 20).
    const canvas = { left: 10, top: 20, width: 800, height: 450 };
    assert.deepEqual(worldToPage(cam, canvas, 1600, 900, 100, 50), { x: 10, y: 20 }, 'the view corner');
    assert.deepEqual(
      worldToPage(cam, canvas, 1600, 900, 150, 100),
      { x: 60, y: 70 },
      '50 world px = 100 game px = 50 CSS px',
    );
  });
});
