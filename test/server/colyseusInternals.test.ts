/**
 * The one module that touches Colyseus server internals checks, at boot,
 * the shapes it relies on: it passes on the installed Colyseus, and a shape
 * that moved fails with a message naming the installed version. The wrong
 * shapes here are built on purpose (the only place outside the module that
 * does so).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Room } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import {
  checkColyseusInternals,
  ColyseusInternalsError,
  installedColyseusVersion,
  reservedSeatsOf,
  transportSocketServer,
  wrapFrameDispatch,
} from '../../server/colyseusInternals.ts';

describe('Colyseus internals', () => {
  it('finds every shape it relies on in the installed Colyseus', () => {
    const version = installedColyseusVersion();
    assert.match(version, /^0\.18\.\d+$/u, 'the installed @colyseus/core version is read from its package');
    const transport = new WebSocketTransport({ noServer: true });
    try {
      checkColyseusInternals({ roomPrototype: Room.prototype, room: new Room(), transport });
      assert.equal(typeof transportSocketServer(transport).handleUpgrade, 'function');
    } finally {
      transport.shutdown();
    }
    assert.deepEqual(reservedSeatsOf(new Room()), {}, 'a new room has no reservations');
  });

  it('puts a wrapper in front of a room instance’s frame dispatch', () => {
    const room = new Room();
    const seen: number[] = [];
    wrapFrameDispatch(room, (dispatch) => (client, frame) => {
      seen.push(frame.byteLength);
      dispatch(client, frame);
    });
    assert.notEqual(Reflect.get(room, '_onMessage'), Reflect.get(Room.prototype, '_onMessage'), 'own dispatch');
    assert.deepEqual(seen, []);
  });

  const wrong: { what: string; subjects: Parameters<typeof checkColyseusInternals>[0]; names: RegExp }[] = [
    {
      what: 'a renamed _onMessage',
      subjects: {
        roomPrototype: { _onMessageFrame: () => undefined, _reserveSeat: () => undefined },
        room: { _reservedSeats: {} },
      },
      names: /_onMessage/u,
    },
    {
      what: 'a renamed _reserveSeat',
      subjects: {
        roomPrototype: { _onMessage: () => undefined, _reserveSeatFor: () => undefined },
        room: { _reservedSeats: {} },
      },
      names: /_reserveSeat/u,
    },
    {
      what: 'reservations kept in a Map',
      subjects: { roomPrototype: Room.prototype, room: { _reservedSeats: undefined, seats: new Map() } },
      names: /_reservedSeats/u,
    },
    {
      what: 'a transport without its ws server',
      subjects: { roomPrototype: Room.prototype, room: new Room(), transport: { server: {} } },
      names: /\.wss/u,
    },
  ];
  for (const { what, subjects, names } of wrong) {
    it(`refuses to start on ${what}, naming the Colyseus version`, () => {
      assert.throws(
        () => checkColyseusInternals(subjects, '0.19.0'),
        (error: unknown) =>
          error instanceof ColyseusInternalsError &&
          names.test(error.message) &&
          error.message.includes('Installed @colyseus/core 0.19.0') &&
          error.message.includes('server/colyseusInternals.ts'),
      );
    });
  }

  it('names the installed version by default', () => {
    assert.throws(
      () => checkColyseusInternals({ roomPrototype: {}, room: {} }),
      new RegExp(`Installed @colyseus/core ${installedColyseusVersion().replaceAll('.', '\\.')};`, 'u'),
    );
  });
});
