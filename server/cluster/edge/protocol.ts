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
