/**
 * The room's first look at every inbound WebSocket frame, in front of
 * Colyseus's own dispatch (`Room._onMessage`). Left alone, Colyseus:
 *
 * - ignores, without a trace, empty frames, unknown and server-only
 *   protocol codes and repeated JOIN_ROOM acknowledgements;
 * - closes a socket whose message payload does not decode with its generic
 *   4002 (WITH_ERROR), the same code it uses for a stale connection that a
 *   reconnection replaces;
 * - drops undecodable input frames silently, after the schema decoder has
 *   printed its complaint straight to the console (many lines per frame);
 * - lets an exception thrown while decoding escape as an uncaughtException,
 *   on which Colyseus shuts the whole process down.
 *
 * ROOM_REQUEST frames pass: this room handles none, and Colyseus answers
 * each with an error naming its type, which the cluster's echo probes use
 * for round trips. They cost no strike; the room's frame-rate limit bounds them.
 *
 * The guard turns each of these into an offence of the frame's sender and
 * leaves the verdict to the room's strike policy (see misbehaviour.ts). The
 * Colyseus internals it needs (`_onMessage`, `_lastInputReceivedAt`) come
 * from `../colyseusInternals.ts`, which checks them at boot;
 * test/server/hostile.test.ts pins the behaviour.
 */
import { ClientState, CloseCode, Protocol, type Client, type Room } from '@colyseus/core';
import { clientSocket, lastInputReceivedAt, wrapFrameDispatch, type FrameDispatch } from '../colyseusInternals.ts';
import type { Fault } from './misbehaviour.ts';
import { protocolCode } from '../../shared/wire.ts';

/** Protocol codes a client of this room legitimately sends. */
const CLIENT_CODES = new Set<number>([
  Protocol.JOIN_ROOM,
  Protocol.LEAVE_ROOM,
  Protocol.ROOM_DATA,
  Protocol.ROOM_DATA_BYTES,
  Protocol.PING,
  Protocol.ROOM_REQUEST,
  Protocol.ROOM_INPUT_RELIABLE,
  Protocol.ROOM_INPUT_UNRELIABLE,
]);
const MESSAGE_CODES = new Set<number>([Protocol.ROOM_DATA, Protocol.ROOM_DATA_BYTES]);
const INPUT_CODES = new Set<number>([Protocol.ROOM_INPUT_RELIABLE, Protocol.ROOM_INPUT_UNRELIABLE]);

/** Judge a frame by its length and protocol code alone, before anything decodes it. */
export function frameFault(frame: Uint8Array, state: ClientState): Fault | undefined {
  if (frame.byteLength === 0) return { offence: 'bad_frame', detail: 'empty frame' };
  const code = protocolCode(frame[0]!);
  if (!CLIENT_CODES.has(code)) return { offence: 'bad_frame', detail: `unknown protocol code ${code}` };
  if (code === Protocol.JOIN_ROOM && state !== ClientState.JOINING)
    return { offence: 'bad_frame', detail: 'JOIN_ROOM after joining' };
  return undefined;
}

export interface FrameGuardHooks {
  /** Charge `client` with an offence; the room strikes, tells it and maybe cuts it off. */
  offend(client: Client, fault: Fault): void;
  /** True once the room has cut `client` off: frames it still has in flight are dropped unread. */
  isCutOff(client: Client): boolean;
}

/** Wraps one room's frame dispatch; create it before any client joins. */
export class FrameGuard {
  private current: Client | undefined;
  /** The decoder's first console complaint during the input being dispatched. */
  private complaint: unknown;
  /** Stands in for console.warn/error while an input decodes; made once, not per input frame. */
  private readonly quiet = (...args: unknown[]): void => {
    this.complaint ??= args[0];
  };

  constructor(
    room: Room,
    private readonly hooks: FrameGuardHooks,
  ) {
    wrapFrameDispatch(room, (dispatch) => (client, frame) => this.inspect(client, frame, dispatch));
  }

  /**
   * The client whose frame is being dispatched right now (undefined between
   * frames). Input sanitizing runs inside the dispatch and reads it; so does
   * `onDrop`, to tell a flood cut (Colyseus drops the client mid-dispatch)
   * from a stale socket replaced by a reconnection (same close code, no frame).
   */
  get sender(): Client | undefined {
    return this.current;
  }

  /**
   * Call on every join and reconnection. A frame over the size limit or a
   * broken WebSocket frame makes `ws` close the socket itself (1009, 1002…),
   * and the close code the room then sees is often 1006 (the sender does
   * not answer the close), so charge the culprit from the socket's error.
   */
  watch(client: Client): void {
    clientSocket(client).once('error', (error: Error & { code?: string }) => {
      if (error.code?.startsWith('WS_ERR_'))
        this.hooks.offend(client, { offence: 'bad_frame', detail: `invalid WebSocket frame (${error.code})` });
    });
  }

  private inspect(client: Client, frame: Uint8Array, dispatch: FrameDispatch): void {
    if (this.hooks.isCutOff(client)) return;
    const fault = frameFault(frame, client.state);
    if (fault) {
      this.hooks.offend(client, fault);
      return;
    }
    const code = protocolCode(frame[0]!);
    this.current = client;
    try {
      if (MESSAGE_CODES.has(code)) this.dispatchMessage(client, frame, dispatch);
      else if (INPUT_CODES.has(code)) this.dispatchInput(client, frame, dispatch);
      else dispatch(client, frame);
    } catch (error) {
      this.hooks.offend(client, {
        offence: 'bad_frame',
        detail: `frame failed to decode (${error instanceof Error ? error.message : String(error)})`,
      });
    } finally {
      this.current = undefined;
    }
  }

  /** A message payload that does not decode makes Colyseus close with WITH_ERROR; make it ours instead. */
  private dispatchMessage(client: Client, frame: Uint8Array, dispatch: FrameDispatch): void {
    let refused = false;
    const own = Object.getOwnPropertyDescriptor(client, 'leave');
    const leave = client.leave.bind(client);
    client.leave = (code?: number, reason?: string) => {
      if (code === CloseCode.WITH_ERROR) refused = true;
      else leave(code, reason);
    };
    try {
      dispatch(client, frame);
    } finally {
      if (own) Object.defineProperty(client, 'leave', own);
      else delete (client as { leave?: unknown }).leave;
    }
    if (refused) this.hooks.offend(client, { offence: 'bad_frame', detail: 'message payload does not decode' });
  }

  /**
   * Colyseus swallows an input that fails to decode: an exception leaves
   * `_lastInputReceivedAt` unchanged, a field the schema does not know only
   * makes the decoder write to the console. Catch both, and keep the
   * console quiet (it is any client's to flood otherwise).
   */
  private dispatchInput(client: Client, frame: Uint8Array, dispatch: FrameDispatch): void {
    const receivedAt = lastInputReceivedAt(client);
    const { warn, error } = console;
    this.complaint = undefined;
    console.warn = console.error = this.quiet;
    try {
      dispatch(client, frame);
    } finally {
      console.warn = warn;
      console.error = error;
    }
    const complaint = this.complaint;
    if (client.state !== ClientState.JOINING && client.state !== ClientState.JOINED) return; // dropped mid-dispatch (flood)
    if (complaint !== undefined) {
      this.hooks.offend(client, {
        offence: 'bad_frame',
        detail: `input does not match the schema (${String(complaint).slice(0, 60)})`,
      });
    } else if (lastInputReceivedAt(client) === receivedAt) {
      this.hooks.offend(client, { offence: 'bad_frame', detail: 'input does not decode' });
    }
  }
}
