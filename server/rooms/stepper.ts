/**
 * The arena room's fixed step: idle until the first client joins, then at
 * the tick rate, each step paces the clients' inputs, runs the match rules
 * on the next input of each player (lag-compensated by Colyseus's rewind and
 * our own position history), records the step for later hit tests and sends
 * it as a patch.
 */
import type { Client, Rewind, Room } from '@colyseus/core';
import { MAX_REWIND_MS } from '../../shared/constants.ts';
import type { InputFrame } from '../../shared/input.ts';
import { ServerMessage, type InputPace } from '../../shared/messages.ts';
import type { Player } from '../../shared/state.ts';
import type { ArenaGame, TickSource } from '../game/ArenaGame.ts';
import { InputPacer } from '../game/inputPacer.ts';
import { LagHistory } from '../game/lagHistory.ts';
import type { RoomMetrics } from '../metrics.ts';

/** Patch (and clock) interval of a room nobody has joined yet, in milliseconds. */
const IDLE_CLOCK_MS = 250;

/** A client's queued inputs as Colyseus keeps them (`room.inputs.get(sessionId)`). */
export interface InputQueue {
  next(): InputFrame | undefined;
  readonly size: number;
}

/** What the step needs of its room besides Colyseus's own API. */
export interface StepHooks {
  readonly tickRateHz: number;
  readonly metrics: RoomMetrics;
  inputs(sessionId: string): InputQueue;
  /** Spectators queue no inputs and are not paced. */
  isSpectator(sessionId: string): boolean;
  /** True while a hand-off or shutdown holds the match still: patches go on, the match does not. */
  frozen(): boolean;
}

export class MatchStepper {
  private readonly rewind: Rewind;
  /** Positions for hit tests (Colyseus's rewind still stamps inputs with render times and clamps view lag). */
  private readonly history: LagHistory;
  private readonly pacer = new InputPacer();
  private readonly source: TickSource;
  private readonly stepMs: number;
  private started = false;

  /** Attach lag compensation to the players of `game`; the room runs only a slow clock until {@link start}. */
  constructor(
    private readonly room: Room,
    private readonly game: ArenaGame,
    private readonly hooks: StepHooks,
  ) {
    const rewind = room.allowRewindState({ maxRewindMs: MAX_REWIND_MS });
    rewind.attachAll(game.state.players, { fields: ['x', 'y'] });
    this.rewind = rewind;
    this.stepMs = 1000 / hooks.tickRateHz;
    const history = new LagHistory(MAX_REWIND_MS, this.stepMs);
    this.history = history;
    const seen = { x: 0, y: 0 };
    this.source = {
      nextInput: (sid) => hooks.inputs(sid).next(),
      viewLagMs: (sid) => Math.max(0, rewind.lastRecordedAt - rewind.lastSeenBy(sid).time),
      positionAgo: (player: Player, lagMs: number) => history.positionAgo(player, lagMs, seen),
      boundsOf: (player, out) => history.boundsOf(player, out),
    };
    // Until the first join, a slow patch timer is all the room runs: it keeps the room's clock
    // (seat checks, hand-off expiry) going. Colyseus's own clock timer for a room without one
    // would wake 60 times a second.
    room.patchRate = IDLE_CLOCK_MS;
  }

  /**
   * Start stepping (the first join does; later calls do nothing). A room
   * nobody has joined yet costs no simulation: matchmaking can create rooms
   * faster than players arrive (or for players who never do).
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    // From now: the idle time since the clock's last tick is no backlog of steps to catch up on.
    this.room.clock.tick();
    this.room.setFixedTimestep(() => this.step(), this.hooks.tickRateHz);
    // No patch timer of its own once stepping: a second timer of the same period fires just
    // before the step (Node runs the older timer first), so each patch would leave one step stale.
    this.room.patchRate = null;
  }

  /** Forget a client that left. */
  forget(sessionId: string): void {
    this.pacer.forget(sessionId);
  }

  private step(): void {
    if (!this.hooks.frozen()) {
      this.paceInputs();
      this.hooks.metrics.timeStep(() => this.game.step(this.source));
    }
    this.patchAfterStep();
  }

  /**
   * Measure each client's queued inputs as the step starts, and ask a client
   * whose queue stays away from one step to run its input clock faster or
   * slower (see `shared/inputPace.ts`).
   */
  private paceInputs(): void {
    for (const client of this.room.clients as Iterable<Client>) {
      if (this.hooks.isSpectator(client.sessionId)) continue;
      const depth = this.hooks.inputs(client.sessionId).size;
      this.hooks.metrics.observeInputDepth(depth);
      const rateScale = this.pacer.observe(client.sessionId, depth);
      if (rateScale !== undefined) client.send(ServerMessage.InputPace, { rateScale } satisfies InputPace);
    }
  }

  /**
   * Send the step just taken: an input consumed by the step reaches every
   * client at the end of that step. The lag-compensation history is recorded
   * here too, with the step length sizing its rings (Colyseus's own record in
   * `broadcastPatch` only knows a patch timer's period, which we do not run).
   * Also runs while frozen: queued joins and after-patch messages still go out.
   */
  private patchAfterStep(): void {
    const elapsedMs = this.room.clock.elapsedTime;
    this.rewind.record(elapsedMs, this.stepMs);
    this.history.record(elapsedMs, this.game.state.players.values());
    this.room.broadcastPatch();
  }
}
