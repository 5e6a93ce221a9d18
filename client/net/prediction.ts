/**
 * Netcode for one arena room, wired with the SDK's own primitives:
 *
 * - remote players are interpolated (`lerp`, rendered `INTERP_DELAY_MS` in the
 *   past) so they move smoothly between 30 Hz snapshots;
 * - the local player is predicted by a reconciler whose step is the shared
 *   `applyInput` (the very function the server runs), so a keypress moves us
 *   at once and the server's answer almost never disagrees;
 * - inputs go out at the server's fixed rate, one per predicted step, run a
 *   few percent faster or slower when the server asks (`inputPace`), so our
 *   queue of inputs on the server stays near one step.
 *
 * Game rules live in shared/sim.ts; nothing here decides where anyone may go.
 */
import type { InputHandle } from '@colyseus/sdk';
import { Predict, type Reconciler } from '@colyseus/sdk/predict';
import type { Data } from '@colyseus/schema';
import { PLAYER_SPEED_PX_PER_S, TICK_RATE_HZ } from '../../shared/constants.ts';
import { PlayerInput, type InputFrame } from '../../shared/input.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { applyInput } from '../../shared/sim.ts';
import type { ArenaState, Player } from '../../shared/state.ts';
import { InputClock } from '../../shared/inputPace.ts';
import { parseInputPace, ServerMessage } from '../../shared/messages.ts';
import { log } from '../log.ts';
import type { ArenaRoom } from './connection.ts';

/** How far in the past remote players are drawn; ~3 snapshots of jitter headroom at 30 Hz. */
export const INTERP_DELAY_MS = 100;
/** Our correction smoothing: a misprediction fades out over about this long instead of popping. */
export const LOCAL_SMOOTH_MS = 65;
/**
 * A jump longer than this (between two snapshots, or between our prediction
 * and the server's answer) is a respawn, not a walk, and is drawn as a cut
 * instead of a glide across the map. Walking covers one step (~7 px) per
 * snapshot; even a dozen stalled snapshots stay below it.
 */
const TELEPORT_PX = Math.ceil((PLAYER_SPEED_PX_PER_S / TICK_RATE_HZ) * 12);

/** A render position in world pixels. */
export interface Position {
  x: number;
  y: number;
}

/** Prediction, interpolation and input sending for one joined arena room. */
export class Netcode {
  readonly input: InputHandle<PlayerInput>;
  readonly predict: Predict<ArenaState>;
  private local: Reconciler<Player, Data<PlayerInput>> | undefined;
  private localPlayer: Player | undefined;
  /** Sends a few more or fewer inputs than fixed steps when the server asks (`inputPace`). */
  readonly inputClock = new InputClock();
  private readonly stopPacing: () => void;

  constructor(private readonly room: ArenaRoom) {
    this.stopPacing = room.onMessage(ServerMessage.InputPace, (payload: unknown) => {
      const parsed = parseInputPace(payload);
      if (parsed.ok) this.inputClock.setRateScale(parsed.value.rateScale);
      else log.warn('ignored an invalid inputPace message', { error: parsed.error });
    });
    this.input = room.input<PlayerInput>({ type: PlayerInput, mode: 'reliable' });
    this.predict = Predict.get(room, { mode: 'lerp', delay: INTERP_DELAY_MS });
    this.predict.attachAll('players', { fields: ['x', 'y'], snap: TELEPORT_PX });
    // Angles go in their own group so they interpolate across the ±π seam.
    this.predict.attachAll('players', { fields: ['aimRad'], angle: true });
  }

  /** Our session's player, once the server has sent it. */
  get me(): Player | undefined {
    return this.localPlayer;
  }

  /** Start predicting our own player; call once, when it first appears in the state. */
  bindLocal(player: Player): void {
    if (this.local) return;
    this.localPlayer = player;
    this.local = this.predict.reconciler(player, {
      input: this.input,
      fields: ['x', 'y', 'alive'],
      step: (ctx, state, command) => applyInput(state, command, ARENA_MAP, ctx.dt),
      smoothMs: LOCAL_SMOOTH_MS,
      // A respawn is a cut, not a misprediction to glide out across the map.
      snap: TELEPORT_PX,
    });
  }

  /**
   * Advance prediction to `now` (a `performance.now()`-based frame time) and
   * send one input per fixed step that fell due. `sample` is read only when
   * at least one step is due, so a latched one-shot (a short click) is never
   * consumed by a frame that sends nothing. Returns the number of inputs sent.
   */
  frame(now: number, sample: () => InputFrame): number {
    const due = this.inputClock.pace(this.predict.tick(now));
    if (due === 0) return 0;
    const command = sample();
    for (let i = 0; i < due; i++) {
      const data = this.input.data;
      data.moveX = command.moveX;
      data.moveY = command.moveY;
      data.aimRad = command.aimRad;
      data.fire = command.fire;
      this.input.send();
    }
    return due;
  }

  /** Where to draw `player` this frame: predicted for us, interpolated for everyone else. */
  position(player: Player, out: Position = { x: 0, y: 0 }): Position {
    out.x = this.predict.value(player, 'x');
    out.y = this.predict.value(player, 'y');
    return out;
  }

  /** A remote player's interpolated aim, in radians. */
  aim(player: Player): number {
    return this.predict.value(player, 'aimRad');
  }

  /** Our predicted aliveness (the server's word once acknowledged). */
  get localAlive(): boolean {
    return this.local ? this.local.state.alive : (this.localPlayer?.alive ?? false);
  }

  /** Inputs sent but not yet processed by the server. */
  get pendingInputs(): number {
    return this.input.pendingCount;
  }

  /** Smoothed round-trip time from the input acks, in ms (0 until known). */
  get rttMs(): number {
    return this.room.clock.smoothedRtt();
  }

  dispose(): void {
    this.stopPacing();
    this.predict.dispose();
    this.local = undefined;
    this.localPlayer = undefined;
  }
}
