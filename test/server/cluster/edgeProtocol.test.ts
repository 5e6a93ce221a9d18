/**
 * The edge channel's wire format on its own: operations survive a round
 * trip in order, a broadcast frame (same bytes to several clients) crosses
 * once as FANOUT, a timed state patch crosses once as TIMED and is rebuilt
 * byte for byte per client, and nothing malformed is trusted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Protocol, ProtocolModifier } from '@colyseus/core';
import { Outbox } from '../../../server/cluster/edge/outbox.ts';
import { decodeMessage, Op, ProtocolError } from '../../../server/cluster/edge/protocol.ts';

/** A timed patch frame as Colyseus builds it: [code|TIMED][server time:4][input ack:4][patch]. */
function timedPatch(serverTime: number, ack: number, patch: number[]): Buffer {
  const frame = Buffer.alloc(9 + patch.length);
  frame[0] = Protocol.ROOM_STATE_PATCH | ProtocolModifier.TIMED;
  frame.writeUInt32LE(serverTime, 1);
  frame.writeUInt32LE(ack, 5);
  Buffer.from(patch).copy(frame, 9);
  return frame;
}

describe('edge channel protocol', () => {
  it('round-trips every operation in order', () => {
    const box = new Outbox();
    box.open(7, { url: '/p/r?sessionId=s', headers: { 'x-forwarded-for': '1.2.3.4' }, remoteAddress: '::1' });
    box.up(7, Buffer.from([13, 1, 2]));
    box.upError(7, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    box.upClose(7, 4000, 'bye');
    box.down(9, Buffer.from([10, 20]));
    box.shut(9, 4400, 'bad_message: x');
    const ops = decodeMessage(box.take());
    assert.deepEqual(
      ops.map((o) => o.op),
      [Op.OPEN, Op.UP, Op.UP_ERROR, Op.UP_CLOSE, Op.DOWN, Op.SHUT],
    );
    assert.deepEqual(ops[0], {
      op: Op.OPEN,
      conn: 7,
      request: { url: '/p/r?sessionId=s', headers: { 'x-forwarded-for': '1.2.3.4' }, remoteAddress: '::1' },
    });
    assert.deepEqual([...(ops[1] as { bytes: Buffer }).bytes], [13, 1, 2]);
    assert.equal((ops[2] as { code: string }).code, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    assert.deepEqual(ops[3], { op: Op.UP_CLOSE, conn: 7, code: 4000, reason: 'bye' });
    assert.deepEqual(ops[5], { op: Op.SHUT, conn: 9, code: 4400, reason: 'bad_message: x' });
    assert.equal(box.empty, true, 'take() empties the outbox');
  });

  it('sends a frame queued for several clients back to back once (FANOUT), and copies it', () => {
    const box = new Outbox();
    const frame = Buffer.from([Protocol.ROOM_DATA, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const conn of [1, 2, 3, 4]) box.down(conn, frame);
    assert.deepEqual(box.groupStats(), { groups: 1, frames: 4 });
    frame.fill(0); // the framework reusing its buffer before the flush changes nothing
    const message = box.take();
    assert.ok(message.length < 4 * frame.length, `one copy crossed (${message.length} bytes)`);
    const [op] = decodeMessage(message);
    assert.equal(op!.op, Op.FANOUT);
    const fanout = op as { conns: number[]; bytes: Buffer };
    assert.deepEqual(fanout.conns, [1, 2, 3, 4]);
    assert.deepEqual([...fanout.bytes], [Protocol.ROOM_DATA, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("sends a timed state patch once and rebuilds each client's frame with its own input ack", () => {
    const box = new Outbox();
    const patch = Array.from({ length: 200 }, (_, i) => i % 251);
    const frames = [timedPatch(1234, 1, patch), timedPatch(1234, 77, patch), timedPatch(1234, 9000, patch)];
    for (const [i, frame] of frames.entries()) box.down(i + 1, frame);
    const message = box.take();
    assert.ok(message.length < 300, `the patch crossed once (${message.length} bytes for 3 × ${frames[0]!.length})`);
    const [op, ...rest] = decodeMessage(message);
    assert.equal(rest.length, 0);
    assert.equal(op!.op, Op.TIMED);
    const timed = op as { conns: number[]; frames: Buffer[] };
    assert.deepEqual(timed.conns, [1, 2, 3]);
    for (const [i, rebuilt] of timed.frames.entries()) {
      assert.deepEqual(rebuilt, frames[i], `client ${i + 1}'s frame, byte for byte`);
    }
  });

  it('keeps frames that differ (other patch, other server time, same client twice) apart and in order', () => {
    const box = new Outbox();
    const a = timedPatch(1, 5, [1, 2, 3]);
    const b = timedPatch(2, 5, [1, 2, 3]); // a later tick
    const c = timedPatch(2, 5, [1, 2, 4]); // another patch
    box.down(1, a);
    box.down(2, b);
    box.down(3, c);
    box.down(3, c); // the same client twice is two frames, not a fan-out
    const ops = decodeMessage(box.take());
    assert.deepEqual(
      ops.map((o) => [o.op, 'conn' in o ? o.conn : -1]),
      [
        [Op.DOWN, 1],
        [Op.DOWN, 2],
        [Op.DOWN, 3],
        [Op.DOWN, 3],
      ],
    );
  });

  it('refuses truncated or unknown operations', () => {
    const box = new Outbox();
    box.down(1, Buffer.from([1, 2, 3, 4]));
    const message = box.take();
    assert.throws(() => decodeMessage(message.subarray(0, message.length - 1)), ProtocolError);
    assert.throws(() => decodeMessage(Buffer.from([99, 0, 0])), ProtocolError);
    assert.throws(
      () => decodeMessage(Buffer.from([Op.OPEN, 0, 0, 0, 1, 0, 0, 0, 1, 0x7b])),
      ProtocolError,
      'OPEN with a body that is not JSON',
    );
  });
});
