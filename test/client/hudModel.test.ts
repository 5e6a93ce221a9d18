/**
 * The match screen's pure parts: the HUD's values, overlay choice and
 * welcome line, the ping timer, world-to-page mapping, the camera's zoom and
 * bounds, and the mouse aim.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoundPhase } from '../../shared/state.ts';
import { hudModel, overlayFor, welcomeLine, type MatchView } from '../../client/ui/hudModel.ts';
import { aimToward } from '../../client/input/aim.ts';
import { CAMERA_MARGIN_PX, cameraBounds, fitZoom, MAX_ZOOM, MIN_ZOOM } from '../../client/render/cameraFit.ts';
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

describe('welcome line', () => {
  it('names the room and us, says when we only watch, and tells a moved match to play on', () => {
    assert.equal(welcomeLine('r1', 'Alice', undefined, false), 'Joined room r1 as Alice.');
    assert.equal(welcomeLine('r1', 'Alice', undefined, true), 'Watching room r1.');
    assert.equal(welcomeLine('r2', 'Alice', 'r1', true), 'The match moved to another server (room r2); play on.');
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

describe('match camera', () => {
  it('shows every screen the same world area, within readable zoom limits', () => {
    assert.equal(fitZoom(1280, 720), 1, 'the reference screen');
    assert.equal(fitZoom(1920, 1080), 1.5, 'a bigger screen zooms in, it does not see more');
    assert.equal(fitZoom(1920, 720), 1, 'the narrower side decides');
    assert.equal(fitZoom(400, 300), MIN_ZOOM, 'a small window sees less instead of shrinking players');
    assert.equal(fitZoom(7680, 4320), MAX_ZOOM);
  });

  it('may scroll a margin past every map edge', () => {
    assert.deepEqual(cameraBounds({ widthPx: 2000, heightPx: 1200 }), {
      x: -CAMERA_MARGIN_PX,
      y: -CAMERA_MARGIN_PX,
      width: 2000 + 2 * CAMERA_MARGIN_PX,
      height: 1200 + 2 * CAMERA_MARGIN_PX,
    });
  });
});

describe('mouse aim', () => {
  it('points from our player to the pointer, and keeps its aim when the pointer is on top of us', () => {
    const at = { x: 100, y: 100 };
    assert.equal(aimToward(at, { x: 200, y: 100 }, 1), 0, 'right');
    assert.equal(aimToward(at, { x: 100, y: 150 }, 1), Math.PI / 2, 'down on screen');
    assert.equal(aimToward(at, { x: 0, y: 100 }, 1), Math.PI, 'left');
    assert.equal(aimToward(at, { x: 101, y: 101 }, 1), 1, 'within 2 px: unchanged');
    assert.equal(aimToward(at, { x: 103, y: 100 }, 1), 0, 'just outside it');
  });
});
