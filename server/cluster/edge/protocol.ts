/**
 * The edge channel's wire format: what two instances say to each other about
 * the room connections one of them (the *edge*) holds for rooms the other
 * (the *owner*) runs. One channel message carries every operation queued for
 * that peer in one event-loop turn, in order:
 *
 * | op | layout (after the op byte) | direction |
 * |---|---|---|
 * | OPEN  | conn:u32, len:u32, JSON {@link OpenRequest} | edge → owner |
 * | UP  | conn:u32, len:u32, bytes (a binary WebSocket frame from the client) | edge → owner |
 * | UP_TEXT  | conn:u32, len:u32, UTF-8 (a text WebSocket frame) | edge → owner |
 * | UP_CLOSE | conn:u32, code:u16, len:u32, UTF-8 reason (the client's socket closed) | edge → owner |
 * | UP_ERROR | conn:u32, len:u32, UTF-8 error code (`ws`'s `WS_ERR_*`) | edge → owner |
 * | DOWN  | conn:u32, len:u32, bytes (a frame for the client) | owner → edge |
 * | FANOUT | count:u16, conn:u32 × count, len:u32, bytes | owner → edge |
 * | TIMED | count:u16, head:5 bytes, (conn:u32, seq:4 bytes) × count, len:u32, payload | owner → edge |
 * | SHUT | conn:u32, code:u16, len:u32, UTF-8 reason (close the client's socket) | owner → edge |
 *
 * Two instances are often edge and owner for each other at once, so each
 * direction has its own operations. FANOUT is one frame for many clients of the edge (a broadcast message).
 * TIMED is Colyseus's state patch for rooms with inputs: every client gets the
 * same patch, but each frame carries that client's own input ack, so the
 * bytes differ in 4 places: [code+TIMED][server time:4][ack:4][patch]. The
 * patch crosses once; the edge puts each client's frame back together.
 *
 * All integers are big-endian. `conn` is the edge's id for one client socket.
 */
import { Protocol, ProtocolModifier } from '@colyseus/core';

export const Op = { OPEN: 1, UP: 2, UP_TEXT: 3, UP_CLOSE: 4, UP_ERROR: 5, DOWN: 6, FANOUT: 7, TIMED: 8, SHUT: 9 } as const;

/** What the owner needs of the client's upgrade request to seat it, as the WebSocket transport would read it. */
export interface OpenRequest {
  /** Path and query of the upgrade (`/<processId>/<roomId>?sessionId=…`). */
  url: string;
  /** Request headers as the edge received them (hop-by-hop and WebSocket ones removed). */
  headers: Record<string, string>;
  /** The client's address as the edge saw it. */
  remoteAddress: string;
}

/** One decoded operation, as {@link decodeMessage} hands it over. Frames are views into the message (copy to keep). */
export type Operation =
  | { op: typeof Op.OPEN; conn: number; request: OpenRequest }
  | { op: typeof Op.UP | typeof Op.DOWN; conn: number; bytes: Buffer }
  | { op: typeof Op.UP_TEXT; conn: number; text: string }
  | { op: typeof Op.UP_CLOSE | typeof Op.SHUT; conn: number; code: number; reason: string }
  | { op: typeof Op.UP_ERROR; conn: number; code: string }
  | { op: typeof Op.FANOUT; conns: number[]; bytes: Buffer }
  | { op: typeof Op.TIMED; conns: number[]; frames: Buffer[] };

/** Bytes of the [code][server time] head and of the per-client ack in a timed patch frame. */
const TIMED_HEAD = 5;
const TIMED_SEQ = 4;
const TIMED_MASK = ProtocolModifier.TIMED;
/** Most recipients one FANOUT/TIMED op carries (u16 count). */
const MAX_GROUP = 0xffff;

function isTimedPatch(bytes: Uint8Array): boolean {
  return bytes.length > TIMED_HEAD + TIMED_SEQ && (bytes[0]! & 0x1f) === Protocol.ROOM_STATE_PATCH && (bytes[0]! & TIMED_MASK) !== 0;
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
  | { op: typeof Op.UP_TEXT; conn: number; body: Buffer }
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

  get empty(): boolean {
    return this.ops.length === 0;
  }

  /** Merged operations queued now (FANOUT and TIMED), and the client frames they stand for. */
  groupStats(): { groups: number; frames: number } {
    let groups = 0;
    let frames = 0;
    for (const p of this.ops) {
      if (p.op === Op.FANOUT || p.op === Op.TIMED) {
        groups += 1;
        frames += p.conns.length;
      }
    }
    return { groups, frames };
  }

  open(conn: number, request: OpenRequest): void {
    this.ops.push({ op: Op.OPEN, conn, body: Buffer.from(JSON.stringify(request), 'utf8') });
  }

  /** Edge → owner: a binary frame from the client of `conn`. */
  up(conn: number, bytes: Uint8Array): void {
    this.ops.push({ op: Op.UP, conn, bytes });
  }

  /** Edge → owner: a text frame from the client of `conn` (no honest client sends one). */
  upText(conn: number, text: string): void {
    this.ops.push({ op: Op.UP_TEXT, conn, body: Buffer.from(text, 'utf8') });
  }

  /** Edge → owner: the client's socket closed with `code`. */
  upClose(conn: number, code: number, reason: string): void {
    this.ops.push({ op: Op.UP_CLOSE, conn, code, body: Buffer.from(reason, 'utf8') });
  }

  /** Edge → owner: the client's socket failed (a `ws` protocol error such as an oversized frame). */
  upError(conn: number, code: string): void {
    this.ops.push({ op: Op.UP_ERROR, conn, body: Buffer.from(code, 'utf8') });
  }

  /** Owner → edge: close the client's socket with `code` and `reason`. */
  shut(conn: number, code: number, reason: string): void {
    this.ops.push({ op: Op.SHUT, conn, code, body: Buffer.from(reason, 'utf8') });
  }

  /** Owner → edge: a frame for the client of `conn`, merged with the previous one where the bytes allow. */
  down(conn: number, bytes: Uint8Array): void {
    const last = this.ops[this.ops.length - 1];
    if (last !== undefined) {
      if (last.op === Op.FANOUT && last.origin === bytes && last.conns.length < MAX_GROUP) {
        last.conns.push(conn);
        return;
      }
      if (last.op === Op.DOWN && last.origin === bytes && last.conn !== conn) {
        this.ops[this.ops.length - 1] = { op: Op.FANOUT, conns: [last.conn, conn], bytes: last.bytes, origin: bytes };
        return;
      }
      if (isTimedPatch(bytes)) {
        if (last.op === Op.TIMED && last.conns.length < MAX_GROUP && sameTimedPatch(last.sample, bytes)) {
          last.conns.push(conn);
          last.seqs.push(bytes.subarray(TIMED_HEAD, TIMED_HEAD + TIMED_SEQ));
          return;
        }
        if (last.op === Op.DOWN && last.conn !== conn && isTimedPatch(last.bytes) && sameTimedPatch(last.bytes, bytes)) {
          this.ops[this.ops.length - 1] = {
            op: Op.TIMED,
            conns: [last.conn, conn],
            seqs: [last.bytes.subarray(TIMED_HEAD, TIMED_HEAD + TIMED_SEQ), bytes.subarray(TIMED_HEAD, TIMED_HEAD + TIMED_SEQ)],
            sample: last.bytes,
          };
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
    return out;
  }
}

function sizeOf(p: Pending): number {
  switch (p.op) {
    case Op.OPEN:
    case Op.UP_TEXT:
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
    case Op.UP_TEXT:
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

/** Raised for a channel message that does not parse; the peer link is then not to be trusted. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/**
 * Decode one channel message into its operations, in order. TIMED operations
 * come out as the clients' frames, rebuilt. Throws {@link ProtocolError} on a
 * truncated or unknown operation.
 */
export function decodeMessage(message: Buffer): Operation[] {
  const ops: Operation[] = [];
  let at = 0;
  const need = (n: number): void => {
    if (at + n > message.length) throw new ProtocolError(`truncated operation at byte ${at}`);
  };
  const u32 = (): number => {
    need(4);
    const v = message.readUInt32BE(at);
    at += 4;
    return v;
  };
  const u16 = (): number => {
    need(2);
    const v = message.readUInt16BE(at);
    at += 2;
    return v;
  };
  const bytes = (n: number): Buffer => {
    need(n);
    const v = message.subarray(at, at + n);
    at += n;
    return v;
  };
  while (at < message.length) {
    const op = message[at++];
    switch (op) {
      case Op.OPEN: {
        const conn = u32();
        const body = bytes(u32()).toString('utf8');
        let request: unknown;
        try {
          request = JSON.parse(body);
        } catch {
          throw new ProtocolError('OPEN request is not JSON');
        }
        ops.push({ op, conn, request: request as OpenRequest });
        break;
      }
      case Op.UP:
      case Op.DOWN: {
        const conn = u32();
        ops.push({ op, conn, bytes: bytes(u32()) });
        break;
      }
      case Op.UP_TEXT: {
        const conn = u32();
        ops.push({ op, conn, text: bytes(u32()).toString('utf8') });
        break;
      }
      case Op.UP_CLOSE:
      case Op.SHUT: {
        const conn = u32();
        const code = u16();
        ops.push({ op, conn, code, reason: bytes(u32()).toString('utf8') });
        break;
      }
      case Op.UP_ERROR: {
        const conn = u32();
        ops.push({ op, conn, code: bytes(u32()).toString('utf8') });
        break;
      }
      case Op.FANOUT: {
        const count = u16();
        const conns: number[] = [];
        for (let i = 0; i < count; i++) conns.push(u32());
        ops.push({ op, conns, bytes: bytes(u32()) });
        break;
      }
      case Op.TIMED: {
        const count = u16();
        const head = bytes(TIMED_HEAD);
        const conns: number[] = [];
        const seqs: Buffer[] = [];
        for (let i = 0; i < count; i++) {
          conns.push(u32());
          seqs.push(bytes(TIMED_SEQ));
        }
        const payload = bytes(u32());
        const frames = seqs.map((seq) => {
          const frame = Buffer.allocUnsafe(TIMED_HEAD + TIMED_SEQ + payload.length);
          head.copy(frame, 0);
          seq.copy(frame, TIMED_HEAD);
          payload.copy(frame, TIMED_HEAD + TIMED_SEQ);
          return frame;
        });
        ops.push({ op, conns, frames });
        break;
      }
      default:
        throw new ProtocolError(`unknown operation ${String(op)} at byte ${at - 1}`);
    }
  }
  return ops;
}
