/**
 * The reconnect policy every client of the arena follows (the browser, the
 * bots, the tests): how soon after joining a dropped socket is reconnected.
 * How long the server holds the seat is the server's to say
 * (`RECONNECT_GRACE_S`); rooms publish it in their state (`reconnectGraceS`).
 */
import type { Room } from '@colyseus/sdk';

/** Shortest time in a room before the SDK reconnects a dropped socket, in milliseconds (SDK default 5 000). */
export const RECONNECT_MIN_UPTIME_MS = 1000;

/**
 * Reconnect soon after joining too: a load balancer restart or an instance
 * draining can cut a socket seconds after the join, and the server holds the
 * seat either way. One second still stops a loop on a room that drops us at
 * once. Never lengthens a shorter wait already set (a hand-off's room uses 0).
 */
export function reconnectSoon<R extends Room>(room: R): R {
  room.reconnection.minUptime = Math.min(room.reconnection.minUptime, RECONNECT_MIN_UPTIME_MS);
  return room;
}
