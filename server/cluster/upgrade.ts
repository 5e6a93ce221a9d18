/**
 * Helpers to read a Colyseus room WebSocket upgrade and replay it elsewhere.
 * The SDK connects to `/<processId>/<roomId>?sessionId=…`; the processId in
 * the path names the instance that reserved the seat, i.e. the room's owner.
 */
import type { IncomingMessage } from 'node:http';

/** Header a forwarding instance adds, so a forwarded request is never forwarded again. */
export const FORWARDED_HEADER = 'x-arena-forwarded-by';

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

/**
 * The request line and headers of `req` as raw HTTP/1.1 bytes, with extra
 * headers appended. Raw header order and case are kept so the owner sees the
 * upgrade exactly as the client sent it (Sec-WebSocket-Key included).
 */
export function serializeRequestHead(req: IncomingMessage, extraHeaders: Record<string, string>): Buffer {
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  for (const [name, value] of Object.entries(extraHeaders)) head += `${name}: ${value}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/** The client's address as the first proxy saw it, for the owner's logs and rate limits. */
export function forwardedFor(req: IncomingMessage): string {
  const prior = req.headers['x-forwarded-for'];
  const remote = req.socket.remoteAddress ?? 'unknown';
  return prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${remote}` : remote;
}
