/**
 * The bots' one module of SDK internals checks, when a run starts, the
 * shapes it relies on: it passes on the installed @colyseus/sdk, and a shape
 * that moved fails with a message naming the installed version. The wrong
 * shapes here are built on purpose.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Room } from '@colyseus/sdk';
import { Connection } from '@colyseus/sdk/Connection';
import { ArenaState } from '../../shared/state.ts';
import { checkSdkInternals, installedSdkVersion, SdkInternalsError, skimState } from '../../bots/sdkInternals.ts';

const roomSource = Room.toString();

describe('SDK internals', () => {
  it('finds every shape it relies on in the installed SDK', () => {
    assert.match(installedSdkVersion(), /^0\.18\.\d+$/u);
    checkSdkInternals();
  });

  it('skims: the swapped serializer keeps no state', () => {
    const room = new Room<unknown, ArenaState>('probe', ArenaState);
    assert.ok(room.state instanceof ArenaState, 'decodes before the swap');
    skimState(room);
    assert.equal(room.state, undefined, 'nothing kept after');
  });

  const good = () => ({ roomSource, room: new Room('probe', ArenaState), connection: new Connection() });
  const wrong: { what: string; subjects: Parameters<typeof checkSdkInternals>[0]; names: RegExp }[] = [
    {
      what: 'a serializer without patch()',
      subjects: { ...good(), room: { serializer: { setState() {} } } },
      names: /patch|getState/u,
    },
    {
      what: 'a room that keeps its serializer elsewhere',
      subjects: { ...good(), roomSource: roomSource.replaceAll('this.serializer.patch(', 'this.#decoder.patch(') },
      names: /this\.serializer/u,
    },
    {
      what: 'a connection without events',
      subjects: { ...good(), connection: { send() {} } },
      names: /Connection/u,
    },
  ];
  for (const { what, subjects, names } of wrong) {
    it(`refuses to run on ${what}, naming the SDK version`, () => {
      assert.throws(
        () => checkSdkInternals(subjects, '0.19.1'),
        (error: unknown) =>
          error instanceof SdkInternalsError &&
          names.test(error.message) &&
          error.message.includes('Installed @colyseus/sdk 0.19.1') &&
          error.message.includes('bots/sdkInternals.ts'),
      );
    });
  }
});
