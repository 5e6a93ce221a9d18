/**
 * The `arena` room: wires Colyseus (inputs, fixed timestep, messages,
 * reconnection, seats) to the match rules in {@link ArenaGame}. The rules
 * live elsewhere and so does each concern's logic; this file only translates
 * Colyseus's lifecycle into calls to them: join options admission.ts, seats
 * arenaSeats.ts, the fixed step stepper.ts, messages roomMessages.ts,
 * policing clientPolicing.ts, frames frameGuard.ts, drops reconnection.ts,
 * hand-offs handoff.ts (out) and arrivals.ts (in), the listing and the
 * leaderboard listing.ts, framework internals ../colyseusInternals.ts.
 */
import { Room, ServerError, type Client } from '@colyseus/core';
import { PlayerInput } from '../../shared/input.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { nameKey, uniqueName } from '../../shared/names.ts';
import { parseJoinOptions, ServerMessage, type ArenaMetadata } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import { ArenaGame, type GameRules } from '../game/ArenaGame.ts';
import { copyInputsIntoSlots } from '../game/inputSlots.ts';
import { openInvite, type InviteListing } from '../invites/inviteListing.ts';
import type { LeaderboardRecorder } from '../leaderboard/recorder.ts';
import { roomsFullError, type RoomBudget } from '../limits/roomBudget.ts';
import type { Logger } from '../logger.ts';
import { NO_ROOM_METRICS, type RoomMetrics } from '../metrics.ts';
import { checkJoinRequest } from './admission.ts';
import { ArenaSeats } from './arenaSeats.ts';
import { restoreHandoff } from './arrivals.ts';
import { ClientPolicing, MAX_FRAMES_PER_SECOND } from './clientPolicing.ts';
import { FrameGuard } from './frameGuard.ts';
import {
  closeWithFinalResult,
  handOffRoom,
  handoffSourceOf,
  type HandoffResult,
  type HandoffSource,
} from './handoff.ts';
import { publishListing, recordRound } from './listing.ts';
import { holdDroppedSeat } from './reconnection.ts';
import { listenToClients } from './roomMessages.ts';
import { JOIN_SEAT_HOLD_S } from './seats.ts';
import { isSpectatorSeat, type Spectators, type SpectatorSeatAnswer } from './spectators.ts';
import { MatchStepper } from './stepper.ts';

/** Options the server passes when it defines the room (not client-controlled). */
export interface ArenaRoomOptions extends GameRules {
  maxPlayers: number;
  /** Spectators besides the players (`MAX_SPECTATORS`); see `spectators.ts`. */
  maxSpectators?: number | undefined;
  reconnectGraceS: number;
  logger: Logger;
  /** Times each fixed step and patch broadcast; nothing is recorded when absent. */
  metrics?: RoomMetrics | undefined;
  /** The process's live arena rooms: each room adds itself on create and leaves on dispose (the drain walks it). */
  directory?: Set<ArenaRoom> | undefined;
  /** The process's room cap (`MAX_ROOMS`): a room takes a place on create and gives it back on dispose. */
  budget?: RoomBudget | undefined;
  /** Where each round's kills and wins go (once per round, off the tick); none: no leaderboard. */
  leaderboard?: LeaderboardRecorder | undefined;
}

/** Inputs a client may have queued; older ones are dropped past it. */
const INPUT_BUFFER_MAX = 32;

export class ArenaRoom extends Room<{ state: ArenaState; metadata: ArenaMetadata; input: PlayerInput }> {
  override inputs = this.defineInput(PlayerInput, {
    sanitize: (frame) => this.police.checkInput(this.frames.sender, frame, (sid) => this.spectators.has(sid)),
    bufferMaxSize: INPUT_BUFFER_MAX,
  });

  private game!: ArenaGame;
  private stepper!: MatchStepper;
  /** Player, spectator and hand-off seats, and the lock that follows them. */
  private seats!: ArenaSeats;
  private log!: Logger;
  private metrics: RoomMetrics = NO_ROOM_METRICS;
  private directory: Set<ArenaRoom> | undefined;
  private reconnectGraceS = 30;
  /** True while a hand-off or shutdown holds the match still. */
  private frozen = false;
  /** Strikes, cut-offs and the chat rate (see `clientPolicing.ts`); a cut-off client's seat is not held. */
  private readonly police = new ClientPolicing(
    () => this.clock.currentTime,
    () => this.log,
  );
  /** Looks at every inbound frame before Colyseus dispatches it. */
  private readonly frames = new FrameGuard(this, {
    offend: (client, fault) => this.police.strike(client, fault),
    isCutOff: (client) => this.police.isCutOff(client),
  });
  private budget: RoomBudget | undefined;
  private leaderboard: LeaderboardRecorder | undefined;
  /** A private room's invite entry. */
  private invite: InviteListing | undefined;
  /** Spectators, besides the player seats; `maxClients` counts both (see `spectators.ts`). */
  spectators!: Spectators;

  /** Validates the name at matchmaking, before a seat (or a room) is made for it. */
  static override async onAuth(_token: string, options: unknown): Promise<true> {
    checkJoinRequest(options);
    return true;
  }

  override async onCreate(options: ArenaRoomOptions & { handoffKey?: unknown; inviteCode?: unknown }): Promise<void> {
    if (options.budget && !options.budget.tryTake()) throw roomsFullError(options.budget.max);
    this.budget = options.budget;
    this.seatReservationTimeout = JOIN_SEAT_HOLD_S;
    this.log = options.logger.child({ roomId: this.roomId });
    this.metrics = options.metrics ?? NO_ROOM_METRICS;
    this.directory = options.directory;
    this.seats = new ArenaSeats(this, {
      maxPlayers: options.maxPlayers,
      maxSpectators: options.maxSpectators ?? 0,
      frozen: () => this.frozen,
      log: this.log,
    });
    this.spectators = this.seats.spectators;
    this.maxClients = options.maxPlayers + this.spectators.max;
    this.leaderboard = options.leaderboard;
    this.reconnectGraceS = options.reconnectGraceS;
    this.maxMessagesPerSecond = MAX_FRAMES_PER_SECOND;

    this.game = new ArenaGame(ARENA_MAP, options, {
      kill: (event) => this.broadcast(ServerMessage.Kill, event),
      roundOver: (event) => {
        this.broadcast(ServerMessage.RoundOver, event);
        this.publishListing();
        if (this.leaderboard) recordRound(this, this.leaderboard, this.game, event);
      },
      roundStarted: () => this.publishListing(),
      hit: (shooterId, event) => this.clients.getById(shooterId)?.send(ServerMessage.Hit, event),
    });
    this.state = this.game.state;
    this.state.reconnectGraceS = this.reconnectGraceS;
    // A restored match (below) keeps the id it began with instead.
    this.game.matchId = this.roomId;
    this.stepper = new MatchStepper(this, this.game, {
      tickRateHz: options.tickRateHz,
      metrics: this.metrics,
      inputs: (sid) => this.inputs.get(sid),
      isSpectator: (sid) => this.spectators.has(sid),
      frozen: () => this.frozen,
    });

    listenToClients(this, {
      players: this.state.players,
      seats: this.seats,
      police: this.police,
      log: this.log,
      addPlayer: (sessionId, name, identity) => {
        // Inputs a hostile spectator sent were never consumed: the player starts with none queued.
        this.inputs.get(sessionId).clear();
        return this.addPlayer(sessionId, name, identity);
      },
      seatsChanged: () => this.seatsChanged(),
    });

    // A continuation room: the match and its seats come from the instance that handed it off.
    if (options.handoffKey !== undefined) await restoreHandoff(this, options.handoffKey, this.game, this.seats);
    if (options.inviteCode !== undefined) this.invite = await openInvite(this, options.inviteCode, this.log);
    this.publishListing();
    this.directory?.add(this);
    this.log.info('arena room created', {
      maxPlayers: this.seats.maxPlayers,
      maxSpectators: this.spectators.max,
      tickRateHz: options.tickRateHz,
      restored: this.seats.expected,
    });
  }

  /**
   * Move this room to another instance (drain, rebalancing). Callable through
   * `matchMaker.remoteRoomCall(roomId, 'handOff')` from any instance.
   */
  async handOff(): Promise<HandoffResult> {
    return handOffRoom(this.handoffSource(), this.log);
  }

  /** Close for a shutdown no other instance can take over from; the result is kept. */
  async closeWithFinalResult(message: string): Promise<void> {
    await closeWithFinalResult(this.handoffSource(), this.log, message);
  }

  private handoffSource(): HandoffSource {
    return handoffSourceOf(this, {
      game: this.game,
      inviteCode: this.invite?.code,
      spectatorIds: () => this.spectators.list(),
      setFrozen: (frozen) => {
        this.frozen = frozen;
      },
    });
  }

  /** Hand-off seats need their secret, a newcomer a free player seat (see `arenaSeats.ts`). */
  override hasReservedSeat(sessionId: string, reconnectionToken?: string): boolean {
    return this.seats.admits(sessionId, reconnectionToken, () => super.hasReservedSeat(sessionId, reconnectionToken));
  }

  /** Full when the player seats are (see `arenaSeats.ts`): spectators never fill a room. */
  override hasReachedMaxClients(): boolean {
    return this.seats.full();
  }

  /** Player seats taken (spectators left out); `except`: a client connecting now. */
  playerSeatsTaken(except?: string): number {
    return this.seats.taken(except);
  }

  /**
   * Reserve a spectator seat, within the spectator cap, even while the player
   * seats are full. Called through `matchMaker.remoteRoomCall` from any
   * instance (`POST /spectate/<roomId>`, a hand-off keeping `sessionId`).
   */
  async reserveSpectatorSeat(sessionId?: unknown): Promise<SpectatorSeatAnswer> {
    return this.seats.reserveSpectator(sessionId);
  }

  /** Colyseus's patch broadcast (encode once, send to every client), timed. */
  override broadcastPatch(): boolean {
    return this.metrics.timePatch(() => super.broadcastPatch());
  }

  override onJoin(client: Client, options: unknown): void {
    this.frames.watch(client);
    this.copyInputsIntoSlots(client);
    this.stepper.start();
    if (this.seats.arrive(client.sessionId) && this.state.players.has(client.sessionId)) {
      this.log.info('player moved in from a hand-off', { sessionId: client.sessionId, players: this.clients.length });
      this.seats.syncLock();
      return;
    }
    if (isSpectatorSeat(options) && this.spectators.has(client.sessionId)) {
      this.log.info('spectator joined', { sessionId: client.sessionId, spectators: this.spectators.count() });
      this.publishListing();
      return;
    }
    const parsed = parseJoinOptions(options);
    if (!parsed.ok) throw new ServerError(400, parsed.error);
    const name = this.addPlayer(client.sessionId, parsed.value.name, parsed.value.identity);
    this.log.info('player joined', { sessionId: client.sessionId, name, players: this.clients.length });
    this.seatsChanged();
  }

  /** Add a player under `raw`, numbered when it looks like a name in the room (nobody passes for another on the scoreboard). */
  private addPlayer(sessionId: string, raw: string, identity: string | undefined): string {
    const taken = new Set([...this.state.players.values()].map((p) => nameKey(p.name)));
    const name = uniqueName(raw, (key) => taken.has(key));
    this.game.addPlayer(sessionId, name, identity);
    return name;
  }

  override async onDrop(client: Client, code?: number): Promise<void> {
    const { log, reconnectGraceS, police, frames } = this;
    await holdDroppedSeat(this, client, code, { log, reconnectGraceS, police, frames });
  }

  override onReconnect(client: Client): void {
    this.frames.watch(client);
    this.copyInputsIntoSlots(client);
    this.log.info('player reconnected', { sessionId: client.sessionId });
  }

  /** Inputs from `client` are buffered in reused slots (see `inputSlots.ts`). */
  private copyInputsIntoSlots(client: Client): void {
    const inputs = this.inputs.get(client.sessionId);
    copyInputsIntoSlots(inputs.latest, () => inputs.size);
  }

  override onLeave(client: Client): void {
    this.game.removePlayer(client.sessionId);
    this.seats.forget(client.sessionId);
    this.stepper.forget(client.sessionId);
    this.police.forget(client.sessionId);
    this.log.info('player left', { sessionId: client.sessionId, players: this.clients.length });
    this.seatsChanged();
  }

  override onDispose(): void {
    void this.invite?.withdraw();
    this.directory?.delete(this);
    this.budget?.release();
    this.budget = undefined;
  }

  override onUncaughtException(error: Error, methodName: string): void {
    this.log.error('room handler failed; room keeps running', { methodName, error });
  }

  /** Players came or went: the lock and the listing follow. */
  private seatsChanged(): void {
    this.seats.syncLock();
    this.publishListing();
  }

  /** Lobby listing: round number, phase and when it ends, so browsers can show time left. */
  private publishListing(): void {
    publishListing(this, this.game, this.seats, this.log);
  }
}
