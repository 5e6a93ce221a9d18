/**
 * The encoding side of the edge channel (see protocol.ts for the format):
 * the operations queued for one peer during one event-loop turn, merged
 * where a broadcast allows, then written as one channel message.
 */
import { Protocol, ProtocolModifier } from '@colyseus/core';
import { Op, TIMED_HEAD, TIMED_SEQ, type OpenRequest } from './protocol.ts';
import { protocolCode } from '../../../shared/wire.ts';

const TIMED_MASK = ProtocolModifier.TIMED;
/** Most recipients one FANOUT/TIMED op carries (u16 count). */
const MAX_GROUP = 0xffff;

function isTimedPatch(bytes: Uint8Array): boolean {
  return (
    bytes.length > TIMED_HEAD + TIMED_SEQ &&
    protocolCode(bytes[0]!) === Protocol.ROOM_STATE_PATCH &&
    (bytes[0]! & TIMED_MASK) !== 0
  );
}

/** True when two timed patch frames differ only in their ack bytes. */
function sameTimedPatch(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < TIMED_HEAD; i++) if (a[i] !== b[i]) return false;
  return Buffer.compare(a.subarray(TIMED_HEAD + TIMED_SEQ), b.subarray(TIMED_HEAD + TIMED_SEQ)) === 0;
}

type Pending =
  | { op: typeof Op.OPEN; conn: number; body: Buffer }
  | { op: typeof Op.UP; conn: number; bytes: Uint8Array }
  | { op: typeof Op.DOWN; conn: number; bytes: Uint8Array; origin: Uint8Array }
  | { op: typeof Op.UP_CLOSE | typeof Op.SHUT; conn: number; code: number; body: Buffer }
  | { op: typeof Op.UP_ERROR; conn: number; body: Buffer }
  | { op: typeof Op.FANOUT; conns: number[]; bytes: Uint8Array; origin: Uint8Array }
  | { op: typeof Op.TIMED; conns: number[]; seqs: Uint8Array[]; sample: Uint8Array };

/**
 * The operations queued for one peer during one event-loop turn. Frames to
 * several clients queued back to back (what a broadcast does) are merged into
 * one FANOUT or TIMED operation when their bytes allow it.
 */
export class Outbox {
  private ops: Pending[] = [];
  private control = false;
  /** FANOUT and TIMED operations queued now, and the client frames they stand for (kept as they merge). */
  private groups = 0;
  private grouped = 0;

  get empty(): boolean {
    return this.ops.length === 0;
  }

  /** A new connection, a close or an error waits: the message should not be held back. */
  get urgent(): boolean {
    return this.control;
  }

  /** Merged operations queued now (FANOUT and TIMED), and the client frames they stand for. */
  groupStats(): { groups: number; frames: number } {
    return { groups: this.groups, frames: this.grouped };
  }

  open(conn: number, request: OpenRequest): void {
    this.control = true;
    this.ops.push({ op: Op.OPEN, conn, body: Buffer.from(JSON.stringify(request), 'utf8') });
  }

  /** Edge → owner: a binary frame from the client of `conn`. */
  up(conn: number, bytes: Uint8Array): void {
    this.ops.push({ op: Op.UP, conn, bytes });
  }

  /** Edge → owner: the client's socket closed with `code`. */
  upClose(conn: number, code: number, reason: string): void {
    this.control = true;
    this.ops.push({ op: Op.UP_CLOSE, conn, code, body: Buffer.from(reason, 'utf8') });
  }

  /** Edge → owner: the client's socket failed (a `ws` protocol error such as an oversized frame). */
  upError(conn: number, code: string): void {
    this.control = true;
    this.ops.push({ op: Op.UP_ERROR, conn, body: Buffer.from(code, 'utf8') });
  }

  /** Owner → edge: close the client's socket with `code` and `reason`. */
  shut(conn: number, code: number, reason: string): void {
    this.control = true;
    this.ops.push({ op: Op.SHUT, conn, code, body: Buffer.from(reason, 'utf8') });
  }

  /** Owner → edge: a frame for the client of `conn`, merged with the previous one where the bytes allow. */
  down(conn: number, bytes: Uint8Array): void {
    const last = this.ops[this.ops.length - 1];
    if (last !== undefined) {
      if (last.op === Op.FANOUT && last.origin === bytes && last.conns.length < MAX_GROUP) {
        last.conns.push(conn);
        this.grouped += 1;
        return;
      }
      if (last.op === Op.DOWN && last.origin === bytes && last.conn !== conn) {
        this.ops[this.ops.length - 1] = { op: Op.FANOUT, conns: [last.conn, conn], bytes: last.bytes, origin: bytes };
        this.groups += 1;
        this.grouped += 2;
        return;
      }
      if (isTimedPatch(bytes)) {
        if (last.op === Op.TIMED && last.conns.length < MAX_GROUP && sameTimedPatch(last.sample, bytes)) {
          last.conns.push(conn);
          last.seqs.push(bytes.subarray(TIMED_HEAD, TIMED_HEAD + TIMED_SEQ));
          this.grouped += 1;
          return;
        }
        if (
          last.op === Op.DOWN &&
          last.conn !== conn &&
          isTimedPatch(last.bytes) &&
          sameTimedPatch(last.bytes, bytes)
        ) {
          this.ops[this.ops.length - 1] = {
            op: Op.TIMED,
            conns: [last.conn, conn],
            seqs: [
              last.bytes.subarray(TIMED_HEAD, TIMED_HEAD + TIMED_SEQ),
              bytes.subarray(TIMED_HEAD, TIMED_HEAD + TIMED_SEQ),
            ],
            sample: last.bytes,
          };
          this.groups += 1;
          this.grouped += 2;
          return;
        }
      }
    }
    // Copied: a framework may reuse the buffer it sent for its next encode before this turn's flush.
    this.ops.push({ op: Op.DOWN, conn, bytes: Buffer.from(bytes), origin: bytes });
  }

  /** Encode the queued operations as one channel message and start over. */
  take(): Buffer {
    let size = 0;
    for (const p of this.ops) size += sizeOf(p);
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of this.ops) at = write(out, at, p);
    this.ops = [];
    this.control = false;
    this.groups = 0;
    this.grouped = 0;
    return out;
  }
}

function sizeOf(p: Pending): number {
  switch (p.op) {
    case Op.OPEN:
    case Op.UP_ERROR:
      return 1 + 4 + 4 + p.body.length;
    case Op.UP:
    case Op.DOWN:
      return 1 + 4 + 4 + p.bytes.length;
    case Op.UP_CLOSE:
    case Op.SHUT:
      return 1 + 4 + 2 + 4 + p.body.length;
    case Op.FANOUT:
      return 1 + 2 + 4 * p.conns.length + 4 + p.bytes.length;
    case Op.TIMED:
      return 1 + 2 + TIMED_HEAD + (4 + TIMED_SEQ) * p.conns.length + 4 + (p.sample.length - TIMED_HEAD - TIMED_SEQ);
  }
}

function write(out: Buffer, at: number, p: Pending): number {
  out[at++] = p.op;
  switch (p.op) {
    case Op.OPEN:
    case Op.UP_ERROR:
      at = out.writeUInt32BE(p.conn, at);
      at = out.writeUInt32BE(p.body.length, at);
      return at + p.body.copy(out, at);
    case Op.UP:
    case Op.DOWN:
      at = out.writeUInt32BE(p.conn, at);
      at = out.writeUInt32BE(p.bytes.length, at);
      out.set(p.bytes, at);
      return at + p.bytes.length;
    case Op.UP_CLOSE:
    case Op.SHUT:
      at = out.writeUInt32BE(p.conn, at);
      at = out.writeUInt16BE(p.code, at);
      at = out.writeUInt32BE(p.body.length, at);
      return at + p.body.copy(out, at);
    case Op.FANOUT:
      at = out.writeUInt16BE(p.conns.length, at);
      for (const conn of p.conns) at = out.writeUInt32BE(conn, at);
      at = out.writeUInt32BE(p.bytes.length, at);
      out.set(p.bytes, at);
      return at + p.bytes.length;
    case Op.TIMED: {
      at = out.writeUInt16BE(p.conns.length, at);
      out.set(p.sample.subarray(0, TIMED_HEAD), at);
      at += TIMED_HEAD;
      for (let i = 0; i < p.conns.length; i++) {
        at = out.writeUInt32BE(p.conns[i]!, at);
        out.set(p.seqs[i]!, at);
        at += TIMED_SEQ;
      }
      const payload = p.sample.subarray(TIMED_HEAD + TIMED_SEQ);
      at = out.writeUInt32BE(payload.length, at);
      out.set(payload, at);
      return at + payload.length;
    }
  }
}
