/** Locality-first placement as pure rules (server/cluster/placement.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseRoom, isClearlyMostLoaded, type RoomListing } from '../../../server/cluster/placement.ts';

const room = (roomId: string, processId: string, clients: number, maxClients = 16, createdAt = 0): RoomListing => ({
  roomId,
  processId,
  clients,
  maxClients,
  createdAt: new Date(createdAt),
});

const calm = false;
const loaded = true;

describe('placement', () => {
  it('joins the fullest room with space on the receiving instance first', () => {
    const rooms = [room('r1', 'B', 15), room('r2', 'A', 3), room('r3', 'A', 9), room('r4', 'A', 16)];
    assert.equal(chooseRoom(rooms, 'A', calm)?.roomId, 'r3');
  });

  it('matches a lone player elsewhere before opening a room (low load)', () => {
    assert.equal(chooseRoom([room('r1', 'B', 1)], 'A', calm)?.roomId, 'r1');
    assert.equal(
      chooseRoom([room('r1', 'B', 0, 16, 5), room('r2', 'C', 1, 16, 9)], 'A', calm)?.roomId,
      'r2',
      'someone waiting beats an empty room',
    );
  });

  it('opens a room locally rather than joining a busy room elsewhere', () => {
    assert.equal(chooseRoom([room('r1', 'B', 5), room('r2', 'C', 12)], 'A', calm), undefined);
  });

  it('fills the fullest room anywhere when the receiving instance is clearly the most loaded', () => {
    assert.equal(chooseRoom([room('r1', 'B', 5), room('r2', 'C', 12)], 'A', loaded)?.roomId, 'r2');
    assert.equal(chooseRoom([room('r1', 'B', 16)], 'A', loaded), undefined, 'full rooms are never chosen');
  });

  it('counts players from the metadata, so spectators neither fill a room nor hide a lone player', () => {
    const watched = (roomId: string, processId: string, players: number, spectators: number): RoomListing => ({
      ...room(roomId, processId, players + spectators, 32),
      metadata: { players, maxPlayers: 16 },
    });
    assert.equal(
      chooseRoom([watched('r1', 'B', 1, 6)], 'A', calm)?.roomId,
      'r1',
      'a lone player with six spectators still waits alone',
    );
    assert.equal(
      chooseRoom([watched('r1', 'A', 16, 1)], 'A', calm),
      undefined,
      '16 players fill it whatever the clients',
    );
    assert.equal(
      chooseRoom([watched('r1', 'A', 3, 12), watched('r2', 'A', 9, 0)], 'A', calm)?.roomId,
      'r2',
      'the fullest by players',
    );
  });

  it("calls an instance clearly the most loaded only with two rooms' worth of players over the least loaded and 25 % over the mean", () => {
    assert.equal(isClearlyMostLoaded(64, [64, 30, 32], 16), true);
    assert.equal(isClearlyMostLoaded(40, [40, 30, 32], 16), false, 'within two rooms of the least loaded');
    assert.equal(isClearlyMostLoaded(100, [100], 16), false, 'alone, it is not "more" loaded than anyone');
    assert.equal(isClearlyMostLoaded(96, [96, 64, 100], 16), false, 'not above the mean by 25 %');
  });
});
