/**
 * Reading a Colyseus room WebSocket upgrade. The SDK connects to
 * `/<processId>/<roomId>?sessionId=…`; the processId in the path names the
 * instance that reserved the seat, i.e. the room's owner.
 */
import type { IncomingMessage } from 'node:http';

export interface RoomTarget {
  processId: string;
  roomId: string;
}

const ROOM_PATH = /^\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)$/u;

/** The owner process and room of a room WebSocket URL, or undefined for any other path. */
export function parseRoomTarget(url: string | undefined): RoomTarget | undefined {
  if (!url) return undefined;
  const q = url.indexOf('?');
  const match = ROOM_PATH.exec(q === -1 ? url : url.slice(0, q));
  if (!match) return undefined;
  return { processId: match[1]!, roomId: match[2]! };
}

/** The client's address as this instance saw it (the socket's peer), for the owner's logs and limits. */
export function forwardedFor(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
