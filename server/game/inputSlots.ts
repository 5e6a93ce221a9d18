/**
 * Inbound inputs without an allocation each. Colyseus decodes every input
 * frame into the client's one `latest` input instance, then buffers a
 * `clone()` of it: a fresh schema instance, change tracker and all, per input
 * per client, 30 times a second. Giving that instance its own `clone` that
 * copies the four fields into the next of a ring of reused plain slots keeps
 * the buffer, its acknowledgements (which the SDK's prediction reconciles
 * against) and render-time stamps exactly as they are, and makes the copy
 * free of garbage.
 */
import type { InputFrame } from '../../shared/input.ts';

/**
 * Make `latest` (a client's decode target, `room.inputs.get(id).latest`)
 * clone itself into a reused slot. Call on join and on reconnection (a new
 * client object brings a new instance); a no-op for an absent instance.
 *
 * The buffer's queued inputs are always the newest clones, so the slot the
 * cursor reaches next is free unless every slot is queued: only then does the
 * ring grow, by one slot at the cursor. It ends as long as the deepest queue
 * the client ever had plus one (a few slots for an honest client, at most the
 * buffer bound plus one), and a consumed input is read only during the step
 * that takes it, long before its slot comes round again.
 *
 * @param queued the client's inputs queued now (`room.inputs.get(id).size`)
 */
export function copyInputsIntoSlots(latest: InputFrame | undefined, queued: () => number): void {
  if (!latest) return;
  const slots: InputFrame[] = [];
  let next = 0;
  // An own property shadows the schema class's clone for this one instance only.
  Object.defineProperty(latest, 'clone', {
    configurable: true,
    value: (): InputFrame => {
      if (queued() >= slots.length) slots.splice(next, 0, { moveX: 0, moveY: 0, aimRad: 0, fire: false });
      const slot = slots[next]!;
      next = (next + 1) % slots.length;
      slot.moveX = latest.moveX;
      slot.moveY = latest.moveY;
      slot.aimRad = latest.aimRad;
      slot.fire = latest.fire;
      return slot;
    },
  });
}
