/**
 * How many arena rooms this process may host (`MAX_ROOMS`). Each room takes
 * a place in its `onCreate` and gives it back when disposed, so the count is
 * exact even when many creates race; the placement hook checks it first to
 * answer without building a room at all.
 */
import { ServerError } from '@colyseus/core';

/** The error a create past the cap gets: HTTP 503, with `Retry-After` added at the edge. */
export function roomsFullError(max: number): ServerError {
  return new ServerError(503, `this server hosts as many rooms as it may (${max}); try again shortly`);
}

export class RoomBudget {
  private taken = 0;

  /** @param max rooms this process hosts at most (`MAX_ROOMS`) */
  constructor(readonly max: number) {}

  /** Rooms holding a place now. */
  get count(): number {
    return this.taken;
  }

  get full(): boolean {
    return this.taken >= this.max;
  }

  /** Take a place; false when none is left. */
  tryTake(): boolean {
    if (this.full) return false;
    this.taken += 1;
    return true;
  }

  release(): void {
    this.taken = Math.max(0, this.taken - 1);
  }
}
