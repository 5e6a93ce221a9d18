/**
 * Waiting on a room's own events instead of the clock: so many state
 * patches, or a ping's round trip (the server has handled everything this
 * client sent before it). A slow machine makes these wait longer, never
 * makes them pass early.
 */
import type { Room } from '@colyseus/sdk';

/** Resolve after `room` has received `count` more state patches; rejects after `timeoutMs`. */
export function statePatches(room: Room, count: number, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (count <= 0) {
      resolve();
      return;
    }
    let left = count;
    const timer = setTimeout(() => {
      room.onStateChange.remove(onPatch);
      reject(new Error(`${left} of ${count} state patches still missing after ${timeoutMs} ms`));
    }, timeoutMs);
    const onPatch = (): void => {
      left -= 1;
      if (left > 0) return;
      clearTimeout(timer);
      room.onStateChange.remove(onPatch);
      resolve();
    };
    room.onStateChange(onPatch);
  });
}

/** Resolve when the server answers a ping sent now: every frame this client sent before has been handled. */
export function roundTrip(room: Room): Promise<number> {
  return new Promise((resolve) => room.ping(resolve));
}
