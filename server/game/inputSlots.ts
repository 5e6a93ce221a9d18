/**
 * Inbound inputs without an allocation each. Colyseus decodes every input
 * frame into the client's one `latest` input instance, then buffers a
 * `clone()` of it: a fresh schema instance, change tracker and all, per input
 * per client, 30 times a second. Giving that instance its own `clone` that
 * copies the four fields into the next of a ring of plain slots keeps the
 * buffer, its acknowledgements (which the SDK's prediction reconciles
 * against) and render-time stamps exactly as they are, and makes the copy
 * free of garbage.
 */
import type { InputFrame } from '../../shared/input.ts';

/**
 * Slots per client. The buffer holds at most `bufferMaxSize` (32) inputs not
 * yet consumed, and the room reads a consumed one only during the step that
 * consumes it, so a slot is reused only after 64 newer inputs: long after
 * anything could still read it.
 */
export const INPUT_SLOTS = 64;

/**
 * Make `latest` (a client's decode target, `room.inputs.get(id).latest`)
 * clone itself into a reused slot. Call on join and on reconnection (a new
 * client object brings a new instance); a no-op for an absent instance.
 *
 * @param bufferMaxSize the room's `defineInput` buffer bound; the ring must be at least twice it
 */
export function copyInputsIntoSlots(latest: InputFrame | undefined, bufferMaxSize: number): void {
  if (!latest) return;
  if (INPUT_SLOTS < bufferMaxSize * 2)
    throw new Error(`${INPUT_SLOTS} input slots cannot back a buffer of ${bufferMaxSize}`);
  const slots: InputFrame[] = Array.from({ length: INPUT_SLOTS }, () => ({
    moveX: 0,
    moveY: 0,
    aimRad: 0,
    fire: false,
  }));
  let next = 0;
  // An own property shadows the schema class's clone for this one instance only.
  Object.defineProperty(latest, 'clone', {
    configurable: true,
    value: (): InputFrame => {
      const slot = slots[next]!;
      next = (next + 1) % INPUT_SLOTS;
      slot.moveX = latest.moveX;
      slot.moveY = latest.moveY;
      slot.aimRad = latest.aimRad;
      slot.fire = latest.fire;
      return slot;
    },
  });
}
