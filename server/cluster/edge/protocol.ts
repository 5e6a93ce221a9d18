/**
 * The edge channel's wire format: what two instances say to each other about
 * the room connections one of them (the *edge*) holds for rooms the other
 * (the *owner*) runs. One channel message carries every operation queued for
 * that peer in one event-loop turn, in order:
 *
 * | op | layout (after the op byte) | direction |
 * |---|---|---|
 * | OPEN  | conn:u32, len:u32, JSON {@link OpenRequest} | edge → owner |
 * | UP  | conn:u32, len:u32, bytes (a WebSocket frame from the client, binary or text: Colyseus judges the bytes) | edge → owner |
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
export const Op = { OPEN: 1, UP: 2, UP_CLOSE: 4, UP_ERROR: 5, DOWN: 6, FANOUT: 7, TIMED: 8, SHUT: 9 } as const;

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
  | { op: typeof Op.UP_CLOSE | typeof Op.SHUT; conn: number; code: number; reason: string }
  | { op: typeof Op.UP_ERROR; conn: number; code: string }
  | { op: typeof Op.FANOUT; conns: number[]; bytes: Buffer }
  | { op: typeof Op.TIMED; conns: number[]; frames: Buffer[] };

/** Bytes of the [code][server time] head and of the per-client ack in a timed patch frame. */
export const TIMED_HEAD = 5;
export const TIMED_SEQ = 4;

/** Raised for a channel message that does not parse; the peer link is then not to be trusted. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Throws unless `n` more bytes follow `at` in `message`. */
function need(message: Buffer, at: number, n: number): void {
  if (at + n > message.length) throw new ProtocolError(`truncated operation at byte ${at}`);
}

/**
 * Decode one channel message into its operations, in order. TIMED operations
 * come out as the clients' frames, rebuilt. Throws {@link ProtocolError} on a
 * truncated or unknown operation.
 *
 * Runs for every channel message, so it reads with a plain cursor: no
 * closures made per call (under tsx each one also costs a `__name` call).
 */
export function decodeMessage(message: Buffer): Operation[] {
  const ops: Operation[] = [];
  const end = message.length;
  let at = 0;
  while (at < end) {
    const op = message[at++];
    switch (op) {
      case Op.OPEN: {
        need(message, at, 8);
        const conn = message.readUInt32BE(at);
        const length = message.readUInt32BE(at + 4);
        at += 8;
        need(message, at, length);
        const body = message.toString('utf8', at, at + length);
        at += length;
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
        need(message, at, 8);
        const conn = message.readUInt32BE(at);
        const length = message.readUInt32BE(at + 4);
        at += 8;
        need(message, at, length);
        ops.push({ op, conn, bytes: message.subarray(at, at + length) });
        at += length;
        break;
      }
      case Op.UP_CLOSE:
      case Op.SHUT: {
        need(message, at, 10);
        const conn = message.readUInt32BE(at);
        const code = message.readUInt16BE(at + 4);
        const length = message.readUInt32BE(at + 6);
        at += 10;
        need(message, at, length);
        ops.push({ op, conn, code, reason: message.toString('utf8', at, at + length) });
        at += length;
        break;
      }
      case Op.UP_ERROR: {
        need(message, at, 8);
        const conn = message.readUInt32BE(at);
        const length = message.readUInt32BE(at + 4);
        at += 8;
        need(message, at, length);
        ops.push({ op, conn, code: message.toString('utf8', at, at + length) });
        at += length;
        break;
      }
      case Op.FANOUT: {
        need(message, at, 2);
        const count = message.readUInt16BE(at);
        at += 2;
        need(message, at, 4 * count + 4);
        const conns = new Array<number>(count);
        for (let i = 0; i < count; i++, at += 4) conns[i] = message.readUInt32BE(at);
        const length = message.readUInt32BE(at);
        at += 4;
        need(message, at, length);
        ops.push({ op, conns, bytes: message.subarray(at, at + length) });
        at += length;
        break;
      }
      case Op.TIMED: {
        need(message, at, 2 + TIMED_HEAD);
        const count = message.readUInt16BE(at);
        const head = at + 2;
        at = head + TIMED_HEAD;
        const entries = at;
        need(message, at, (4 + TIMED_SEQ) * count + 4);
        at += (4 + TIMED_SEQ) * count;
        const length = message.readUInt32BE(at);
        at += 4;
        need(message, at, length);
        const payload = at;
        at += length;
        const conns = new Array<number>(count);
        const frames = new Array<Buffer>(count);
        for (let i = 0, e = entries; i < count; i++, e += 4 + TIMED_SEQ) {
          conns[i] = message.readUInt32BE(e);
          const frame = Buffer.allocUnsafe(TIMED_HEAD + TIMED_SEQ + length);
          message.copy(frame, 0, head, head + TIMED_HEAD);
          message.copy(frame, TIMED_HEAD, e + 4, e + 4 + TIMED_SEQ);
          message.copy(frame, TIMED_HEAD + TIMED_SEQ, payload, payload + length);
          frames[i] = frame;
        }
        ops.push({ op, conns, frames });
        break;
      }
      default:
        throw new ProtocolError(`unknown operation ${String(op)} at byte ${at - 1}`);
    }
  }
  return ops;
}
