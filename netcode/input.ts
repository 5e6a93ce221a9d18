/**
 * Writing the player's input, the same way for the browser client and the
 * bots: one input per fixed step, a few more or fewer when the server asks
 * (`inputPace`), each carrying the frame the controller produced.
 */
import type { InputFrame } from '../shared/input.ts';
import type { InputClock } from '../shared/inputPace.ts';
import { parseInputPace } from '../shared/messages.ts';

/** The part of the SDK's input handle that writing uses (`room.input({ type: PlayerInput })`). */
export interface InputSink {
  readonly data: InputFrame;
  send(): unknown;
}

/** Put `frame` into the input about to be sent (the SDK encodes `data` on `send`). */
export function writeInput(data: InputFrame, frame: Readonly<InputFrame>): void {
  data.moveX = frame.moveX;
  data.moveY = frame.moveY;
  data.aimRad = frame.aimRad;
  data.fire = frame.fire;
}

/**
 * Send the inputs of `steps` fixed steps, paced by `clock` (the server's
 * `inputPace` scale), each carrying the frame `sample` gives. `sample` is
 * called once, and only when at least one input goes out (so a latched
 * one-shot such as a short click is never used up by a frame that sends
 * nothing); `afterEach` runs after each send (the browser predicts its shot
 * there). Returns how many inputs went out.
 */
export function sendInputs(
  input: InputSink,
  clock: InputClock,
  steps: number,
  sample: () => Readonly<InputFrame>,
  afterEach?: (frame: Readonly<InputFrame>) => void,
): number {
  const due = clock.pace(steps);
  if (due === 0) return 0;
  const frame = sample();
  for (let i = 0; i < due; i++) {
    writeInput(input.data, frame);
    input.send();
    afterEach?.(frame);
  }
  return due;
}

/** Apply an `inputPace` message's payload to `clock`; returns the validation error of a bad one. */
export function applyInputPace(clock: InputClock, payload: unknown): string | undefined {
  const parsed = parseInputPace(payload);
  if (!parsed.ok) return parsed.error;
  clock.setRateScale(parsed.value.rateScale);
  return undefined;
}
