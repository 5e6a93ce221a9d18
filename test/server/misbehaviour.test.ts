/**
 * The misbehaviour policy on its own: what each offence costs, that strikes
 * age out, that close reasons always fit a close frame, how frames are judged
 * before decoding, and that input sanitizing reports what it had to fix.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientState, Protocol } from '@colyseus/core';
import { sanitizeInput } from '../../shared/input.ts';
import { frameFault } from '../../server/rooms/frameGuard.ts';
import {
  closeReason,
  MAX_STRIKES,
  OFFENCE_WEIGHT,
  StrikeCounter,
  STRIKE_WINDOW_MS,
  type Offence,
} from '../../server/rooms/misbehaviour.ts';

/** How many offences in a row it takes to be cut off. */
function offencesToCut(offence: Offence, spacingMs = 0): number {
  const strikes = new StrikeCounter();
  for (let n = 1; n < 1000; n++) if (strikes.hit('s', offence, n * spacingMs)) return n;
  return Infinity;
}

describe('misbehaviour policy', () => {
  it('cuts off at once for a bad frame, after a few unknown messages, after many refused chat lines', () => {
    assert.equal(offencesToCut('bad_frame'), 1);
    assert.equal(offencesToCut('bad_message'), MAX_STRIKES);
    assert.equal(offencesToCut('chat_invalid'), MAX_STRIKES);
    assert.equal(offencesToCut('bad_input'), MAX_STRIKES / OFFENCE_WEIGHT.bad_input);
    assert.equal(offencesToCut('chat_rate'), 64);
  });

  it('forgets strikes older than the window', () => {
    // One unknown message every window/(MAX_STRIKES-1) ms never adds up to MAX_STRIKES.
    assert.equal(offencesToCut('bad_message', STRIKE_WINDOW_MS / (MAX_STRIKES - 1) + 1), Infinity);
    const strikes = new StrikeCounter();
    for (let i = 0; i < MAX_STRIKES - 1; i++) strikes.hit('s', 'bad_message', 0);
    strikes.forget('s');
    assert.equal(strikes.hit('s', 'bad_message', 1), false, 'a new session starts clean');
  });

  it('keeps close reasons printable ASCII within 123 bytes', () => {
    const reason = closeReason('bad_message', `unknown message type "${'💣\u0000'.repeat(100)}"`);
    assert.ok(Buffer.byteLength(reason) <= 123);
    assert.match(reason, /^bad_message: unknown message type "[\x20-\x7e]*$/u);
  });

  it('judges frames by protocol code before anything decodes them', () => {
    const fault = (bytes: number[], state: ClientState = ClientState.JOINED) =>
      frameFault(Uint8Array.from(bytes), state)?.offence;
    assert.equal(fault([]), 'bad_frame');
    assert.equal(fault([5]), 'bad_frame');
    assert.equal(fault([Protocol.ROOM_STATE_PATCH]), 'bad_frame');
    assert.equal(fault([Protocol.ROOM_REQUEST, 1]), undefined, 'requests are answered by Colyseus (echo probes)');
    assert.equal(fault([Protocol.JOIN_ROOM]), 'bad_frame');
    assert.equal(fault([Protocol.JOIN_ROOM], ClientState.JOINING), undefined);
    for (const code of [Protocol.ROOM_DATA, Protocol.ROOM_INPUT_RELIABLE | 0x80, Protocol.PING, Protocol.LEAVE_ROOM])
      assert.equal(fault([code]), undefined);
  });

  it('sanitizes inputs and says whether they needed it', () => {
    const legal = { moveX: -1, moveY: 1, aimRad: 1.5, fire: true };
    assert.equal(sanitizeInput(legal), true);
    // Untyped on purpose: `fire: 1` is a wrong type a hostile client can send.
    const bads: Record<string, unknown>[] = [
      { moveX: 100 },
      { moveY: -129 },
      { moveX: 0.5 },
      { aimRad: NaN },
      { fire: 1 },
    ];
    for (const bad of bads) {
      const frame = Object.assign({ moveX: 0, moveY: 0, aimRad: 0, fire: false }, bad);
      assert.equal(sanitizeInput(frame), false, JSON.stringify(bad));
      assert.equal(sanitizeInput(frame), true, 'legal after sanitizing');
    }
  });
});
