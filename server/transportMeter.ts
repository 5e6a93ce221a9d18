/**
 * WebSocket frames and bytes in and out, counted at the transport: every
 * frame the server sends or receives goes through a `ws` socket, so the
 * counts are exact, and the frame's first byte (its Colyseus protocol code)
 * says what it is: a state patch, a full state, a room message, an input…
 * Counting a frame costs two array increments; label sets are only built
 * when Prometheus scrapes.
 */
import { Protocol } from '@colyseus/core';
import type { WebSocketTransport } from '@colyseus/ws-transport';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WebSocket, WebSocketServer } from 'ws';
import { transportSocketServer } from './colyseusInternals.ts';
import { PROTOCOL_CODE_MASK, protocolCode } from '../shared/wire.ts';

/** The `kind` label of a frame the server sends, by protocol code. */
const SENT_KIND: Readonly<Record<number, string>> = {
  [Protocol.JOIN_ROOM]: 'join',
  [Protocol.ERROR]: 'error',
  [Protocol.LEAVE_ROOM]: 'leave',
  [Protocol.ROOM_DATA]: 'message',
  [Protocol.ROOM_DATA_BYTES]: 'message',
  [Protocol.ROOM_STATE]: 'state',
  [Protocol.ROOM_STATE_PATCH]: 'patch',
  [Protocol.PING]: 'ping',
  [Protocol.ROOM_RESPONSE]: 'response',
};

/** The `kind` label of a frame the server receives, by protocol code. */
const RECEIVED_KIND: Readonly<Record<number, string>> = {
  [Protocol.JOIN_ROOM]: 'join',
  [Protocol.LEAVE_ROOM]: 'leave',
  [Protocol.ROOM_DATA]: 'message',
  [Protocol.ROOM_DATA_BYTES]: 'message',
  [Protocol.ROOM_INPUT_RELIABLE]: 'input',
  [Protocol.ROOM_INPUT_UNRELIABLE]: 'input',
  [Protocol.PING]: 'ping',
  [Protocol.ROOM_REQUEST]: 'request',
};

/** Frames and payload bytes per protocol code, for one direction. */
class FrameTally {
  readonly frames = new Float64Array(PROTOCOL_CODE_MASK + 1);
  readonly bytes = new Float64Array(PROTOCOL_CODE_MASK + 1);

  add(firstByte: number, byteLength: number): void {
    const code = protocolCode(firstByte);
    this.frames[code]! += 1;
    this.bytes[code]! += byteLength;
  }

  /** Totals by kind label; codes without a name are summed under `other`. */
  byKind(names: Readonly<Record<number, string>>, of: 'frames' | 'bytes'): Map<string, number> {
    const out = new Map<string, number>();
    for (const kind of new Set(Object.values(names))) out.set(kind, 0);
    out.set('other', 0);
    const values = this[of];
    for (let code = 0; code <= PROTOCOL_CODE_MASK; code++) {
      const kind = names[code] ?? 'other';
      out.set(kind, out.get(kind)! + values[code]!);
    }
    return out;
  }
}

function byteLengthOf(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((sum: number, part: unknown) => sum + byteLengthOf(part), 0);
  return 0;
}

function firstByteOf(data: unknown): number {
  if (data instanceof Uint8Array) return data.length > 0 ? data[0]! : 0;
  if (data instanceof ArrayBuffer) return data.byteLength > 0 ? new Uint8Array(data, 0, 1)[0]! : 0;
  if (Array.isArray(data) && data.length > 0) return firstByteOf(data[0]);
  return 0;
}

/** Counts every frame of the sockets it meters, published on `registry` as the `arena_ws_*` series. */
export class TransportMeter {
  private readonly sent = new FrameTally();
  private readonly received = new FrameTally();
  private connectionsOpened = 0;
  private readonly sockets = new Set<WebSocket>();

  constructor(registry: Registry) {
    const registers = [registry];
    const tallyCounter = (
      name: string,
      help: string,
      tally: FrameTally,
      names: Readonly<Record<number, string>>,
      of: 'frames' | 'bytes',
    ) =>
      new Counter({
        name,
        help,
        labelNames: ['kind'],
        registers,
        collect() {
          // The tallies are monotonic totals: reset + inc publishes them as they are.
          this.reset();
          for (const [kind, value] of tally.byKind(names, of)) this.inc({ kind }, value);
        },
      });
    tallyCounter(
      'arena_ws_frames_sent_total',
      'WebSocket frames sent to clients, by protocol kind',
      this.sent,
      SENT_KIND,
      'frames',
    );
    tallyCounter(
      'arena_ws_sent_bytes_total',
      'WebSocket payload bytes sent to clients, by protocol kind (patch = state patches)',
      this.sent,
      SENT_KIND,
      'bytes',
    );
    tallyCounter(
      'arena_ws_frames_received_total',
      'WebSocket frames received from clients, by protocol kind',
      this.received,
      RECEIVED_KIND,
      'frames',
    );
    tallyCounter(
      'arena_ws_received_bytes_total',
      'WebSocket payload bytes received from clients, by protocol kind',
      this.received,
      RECEIVED_KIND,
      'bytes',
    );
    const self = this;
    new Gauge({
      name: 'arena_ws_connections',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(self.sockets.size);
      },
    });
    new Counter({
      name: 'arena_ws_connections_opened_total',
      help: 'WebSocket connections accepted',
      registers,
      collect() {
        this.reset();
        this.inc(self.connectionsOpened);
      },
    });
  }

  /** Count every frame through a Colyseus WebSocket transport (its `ws` server). */
  meterTransport(transport: WebSocketTransport): void {
    this.meterSocketServer(transportSocketServer(transport));
  }

  /** Count every frame of every socket `wss` accepts from now on. */
  meterSocketServer(wss: WebSocketServer): void {
    wss.on('connection', (ws: WebSocket) => this.meterSocket(ws));
  }

  private meterSocket(ws: WebSocket): void {
    this.connectionsOpened += 1;
    this.sockets.add(ws);
    ws.once('close', () => this.sockets.delete(ws));
    const received = this.received;
    ws.on('message', (data: unknown) => received.add(firstByteOf(data), byteLengthOf(data)));
    // This socket's send is the one path every outgoing frame takes: count there, with
    // a fast path for the binary frames Colyseus sends and no allocation per frame.
    const send = ws.send as (this: WebSocket, data: unknown, options?: unknown, cb?: unknown) => void;
    const sent = this.sent;
    ws.send = function (this: WebSocket, data: unknown, options?: unknown, cb?: unknown): void {
      if (data instanceof Uint8Array) sent.add(data.byteLength > 0 ? data[0]! : 0, data.byteLength);
      else sent.add(firstByteOf(data), byteLengthOf(data));
      send.call(this, data, options, cb);
    } as WebSocket['send'];
  }
}
