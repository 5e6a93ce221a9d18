/**
 * Netcode for one arena room, wired with the SDK's own primitives:
 *
 * - remote players are interpolated between 30 Hz snapshots, drawn in the
 *   past by a delay sized from the measured snapshot jitter (`interpDelay.ts`),
 *   which is also the render delay the server's lag compensation rewinds by;
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
import { RoundPhase, type ArenaState, type Player } from '../../shared/state.ts';
import { InputClock } from '../../shared/inputPace.ts';
import { ServerMessage } from '../../shared/messages.ts';
import { log } from '../log.ts';
import type { ArenaRoom } from './connection.ts';
import { AdaptiveDelay } from './interpDelay.ts';
import { PredictedShots } from './predictedShots.ts';
import { RemoteView, type RemotePose } from './remoteView.ts';
import { applyInputPace, sendInputs } from '../../netcode/input.ts';

/** A reconcile correction larger than this (px) is one a player could notice. */
export const CORRECTION_PX = 4;
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

  /** Our own shots, drawn at once and reconciled with the server's. */
  readonly shots = new PredictedShots(ARENA_MAP);
  /** Reconciles that moved our player by more than {@link CORRECTION_PX} (respawns excluded). */
  corrections = 0;
  /** How far in the past remote players are drawn, from the measured snapshot jitter. */
  readonly delay = new AdaptiveDelay(1000 / TICK_RATE_HZ);
  private readonly remotes = new RemoteView(TELEPORT_PX);
  /** Server time (ms) remote players are drawn at this frame; NaN until the server clock is known. */
  private remoteAtMs = Number.NaN;
  private readonly pose: RemotePose = { x: 0, y: 0, aimRad: 0 };
  private readonly onPatch = (): void => this.recordPatch();

  constructor(private readonly room: ArenaRoom) {
    this.stopPacing = room.onMessage(ServerMessage.InputPace, (payload: unknown) => {
      const error = applyInputPace(this.inputClock, payload);
      if (error !== undefined) log.warn('ignored an invalid inputPace message', { error });
    });
    this.input = room.input<PlayerInput>({ type: PlayerInput, mode: 'reliable' });
    // The Predict's delay is what our inputs tell the server's lag compensation to rewind by;
    // `frame` keeps it equal to the delay remote players are drawn with.
    this.predict = Predict.get(room, { mode: 'lerp', delay: this.delay.delayMs });
    room.onStateChange(this.onPatch);
  }

  /** One patch arrived: time it for the jitter estimate and keep every remote player's snapshot. */
  private recordPatch(): void {
    const stamp = this.room.clock.lastServerTime();
    if (!(stamp > 0)) return;
    this.delay.observe(performance.now(), stamp);
    const players = this.room.state.players;
    if (players) this.remotes.record(stamp, players, this.room.sessionId);
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
      onReconcile: () => this.countCorrection(),
    });
  }

  /**
   * Advance prediction to `now` (a `performance.now()`-based frame time) and
   * send one input per fixed step that fell due. `sample` is read only when
   * at least one step is due, so a latched one-shot (a short click) is never
   * consumed by a frame that sends nothing. Returns the number of inputs sent.
   */
  frame(now: number, sample: (() => InputFrame) | null): number {
    const delay = this.delay.frame(now);
    this.remoteAtMs = this.delay.serverTimeAt(now) - delay;
    // The SDK stamps each input with `serverNow − renderDelay − rtt/2` for lag compensation: choose
    // the render delay that makes that stamp the instant we draw remote players at.
    const clock = this.room.clock;
    if (Number.isFinite(this.remoteAtMs) && clock.lastServerTime() > 0) {
      this.predict.setDefaults({ delay: Math.max(0, clock.serverNow() - clock.smoothedRtt() / 2 - this.remoteAtMs) });
    }
    const playing = this.room.state.round?.phase === RoundPhase.Playing;
    const steps = this.predict.tick(now);
    // A spectator (no `sample`) keeps the clocks and the interpolation going but sends nothing.
    if (sample === null) return 0;
    return sendInputs(this.input, this.inputClock, steps, sample, (command) => {
      // The reconciler has stepped our player by this input: the shot leaves from there, as on the server.
      if (this.local) this.shots.onInputSent(this.local.state, command.fire, command.aimRad, playing, now);
    });
  }

  /** A reconcile moved our predicted player: count it when it is more than a rounding (and not a respawn). */
  private countCorrection(): void {
    const c = this.local?.lastCorrection;
    if (!c) return;
    const px = Math.hypot(c.x ?? 0, c.y ?? 0);
    if (px > CORRECTION_PX && px < TELEPORT_PX) this.corrections += 1;
  }

  /** Where to draw player `id` this frame: predicted for us, interpolated for everyone else. */
  position(id: string, player: Player, out: Position = { x: 0, y: 0 }): Position {
    const remote = id === this.room.sessionId ? undefined : this.remotes.at(id, this.remoteAtMs, this.pose);
    out.x = remote ? remote.x : this.predict.value(player, 'x');
    out.y = remote ? remote.y : this.predict.value(player, 'y');
    return out;
  }

  /** A remote player's interpolated aim, in radians. */
  aim(id: string, player: Player): number {
    return this.remotes.at(id, this.remoteAtMs, this.pose)?.aimRad ?? player.aimRad;
  }

  /** The server time (ms) of the pose of remote player `id` drawn this frame (for measuring how far behind it is). */
  remoteShownAt(id: string): number | undefined {
    return Number.isFinite(this.remoteAtMs) ? this.remotes.shownTime(id, this.remoteAtMs) : undefined;
  }

  /** How far in the past remote players are drawn this frame, ms. */
  get interpDelayMs(): number {
    return this.delay.delayMs;
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
    this.room.onStateChange.remove(this.onPatch);
    this.predict.dispose();
    this.local = undefined;
    this.localPlayer = undefined;
  }
}
