/** Remote players between snapshots: interpolation at any render instant, holds at the ends, cuts on teleports. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RemoteTrack, RemoteView, type RemotePose } from '../../client/net/remoteView.ts';

const pose = (): RemotePose => ({ x: 0, y: 0, aimRad: 0 });

describe('RemoteTrack', () => {
  it('interpolates between the two snapshots that bracket the instant', () => {
    const track = new RemoteTrack(100);
    track.push(0, 0, 0, 0);
    track.push(100, 10, 20, 1);
    track.push(200, 30, 20, 1);
    assert.deepEqual(track.at(50, pose()), { x: 5, y: 10, aimRad: 0.5 });
    assert.deepEqual(track.at(150, pose()), { x: 20, y: 20, aimRad: 1 });
  });

  it('holds at the newest snapshot when the instant is past it, and at the oldest before it', () => {
    const track = new RemoteTrack(100);
    assert.equal(track.at(0, pose()), undefined);
    track.push(100, 1, 2, 0.3);
    assert.deepEqual(track.at(50, pose()), { x: 1, y: 2, aimRad: 0.3 });
    track.push(200, 5, 2, 0.3);
    assert.deepEqual(track.at(500, pose()), { x: 5, y: 2, aimRad: 0.3 });
    assert.deepEqual(track.at(0, pose()), { x: 1, y: 2, aimRad: 0.3 });
  });

  it('turns the short way across ±π', () => {
    const track = new RemoteTrack(100);
    track.push(0, 0, 0, Math.PI - 0.1);
    track.push(100, 0, 0, -Math.PI + 0.1);
    const mid = track.at(50, pose())!.aimRad;
    assert.ok(Math.abs(Math.abs(mid) - Math.PI) < 1e-9, `half-way aim ${mid} is at ±π, not through 0`);
  });

  it('draws a jump longer than the teleport distance as a cut, not a glide', () => {
    const track = new RemoteTrack(100);
    track.push(0, 0, 0, 0);
    track.push(100, 10, 0, 0);
    track.push(200, 900, 500, 0);
    assert.equal(track.size, 1);
    assert.deepEqual(track.at(150, pose()), { x: 900, y: 500, aimRad: 0 });
  });

  it('keeps one snapshot per stamp, drops stale ones, and stays bounded', () => {
    const track = new RemoteTrack(1000);
    track.push(100, 1, 0, 0);
    track.push(100, 2, 0, 0);
    track.push(50, 3, 0, 0);
    assert.equal(track.size, 1);
    assert.equal(track.at(100, pose())!.x, 2);
    for (let i = 0; i < 100; i++) track.push(200 + i, i, 0, 0);
    assert.ok(track.size <= 32);
  });
});

describe('RemoteView', () => {
  it('tracks every player but us, and forgets players who left', () => {
    const view = new RemoteView(100);
    view.record(
      0,
      [
        ['me', { x: 0, y: 0, aimRad: 0 }],
        ['a', { x: 10, y: 0, aimRad: 0 }],
        ['b', { x: 0, y: 10, aimRad: 0 }],
      ],
      'me',
    );
    view.record(
      100,
      [
        ['me', { x: 5, y: 0, aimRad: 0 }],
        ['a', { x: 20, y: 0, aimRad: 0 }],
      ],
      'me',
    );
    assert.equal(view.at('me', 50, pose()), undefined, 'our own player is predicted, not interpolated');
    assert.equal(view.at('a', 50, pose())!.x, 15);
    assert.equal(view.at('b', 50, pose()), undefined, 'b left');
  });
});

describe('RemoteTrack.shownTime', () => {
  it('is the render instant, or the end of the snapshots it is held at', () => {
    const track = new RemoteTrack(100);
    assert.equal(track.shownTime(5), undefined);
    track.push(100, 0, 0, 0);
    track.push(200, 1, 0, 0);
    assert.equal(track.shownTime(150), 150);
    assert.equal(track.shownTime(260), 200, 'a late snapshot: held at the newest');
    assert.equal(track.shownTime(40), 100);
  });
});
