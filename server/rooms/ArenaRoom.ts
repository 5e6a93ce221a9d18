/**
 * Over 300 lines on purpose: Colyseus's lifecycle hooks for players,
 * spectators, hand-offs and invites meet here, and several features are being
 * added to it in parallel; each concern's logic lives in its own helper (rules
 * game/ArenaGame.ts, policing clientPolicing.ts, frames frameGuard.ts, seats
 * seats.ts, spectators spectators.ts, hand-off handoff.ts, framework internals
 * ../colyseusInternals.ts).
 *
 * The `arena` room: wires Colyseus (inputs, fixed timestep, lag-compensation
 * history, messages, reconnection) to the match rules in {@link ArenaGame}.
 * The rules live elsewhere; this file only translates.
 */
import { CloseCode, Room, ServerError, type Client, type Rewind } from '@colyseus/core';
import { MAX_REWIND_MS } from '../../shared/constants.ts';
import { PlayerInput } from '../../shared/input.ts';
import { parseInviteCode } from '../../shared/invite.ts';
import { SpectateMessage } from '../../shared/spectate.ts';
import type { LeaderboardSaved } from '../../shared/leaderboard.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { nameKey, uniqueName } from '../../shared/names.ts';
import {
  ClientMessage,
  parseJoinOptions,
  ServerMessage,
  type ArenaMetadata,
  type ChatBroadcast,
  type InputPace,
  type RoundOverEvent,
} from '../../shared/messages.ts';
import type { ArenaState, Player } from '../../shared/state.ts';
import { ArenaGame, type GameRules, type TickSource } from '../game/ArenaGame.ts';
import { InputPacer } from '../game/inputPacer.ts';
import { copyInputsIntoSlots } from '../game/inputSlots.ts';
import { parseGameSnapshot } from '../game/snapshot.ts';
import { LagHistory } from '../game/lagHistory.ts';
import { InviteListing, INVITE_REFRESH_MS } from '../invites/inviteListing.ts';
import type { LeaderboardRecorder } from '../leaderboard/recorder.ts';
import { roundResult } from '../leaderboard/roundResult.ts';
import { roomsFullError, type RoomBudget } from '../limits/roomBudget.ts';
import type { Logger } from '../logger.ts';
import { NO_ROOM_METRICS, type RoomMetrics } from '../metrics.ts';
import { FrameGuard } from './frameGuard.ts';
import { JOIN_SEAT_HOLD_S, SeatBook, type ReservedSeat } from './seats.ts';
import { clientSocket, reserveSeat, reservedSeatsOf } from '../colyseusInternals.ts';
import { isSpectatorSeat, SPECTATOR_CHAT_NAME, Spectators, stepIn, type SpectatorSeatAnswer } from './spectators.ts';
import {
  closeWithFinalResult,
  handOffRoom,
  HANDOFF_KEY_PREFIX,
  HANDOFF_SEATS_SUFFIX,
  parseSeatHashes,
  seatSecretMatches,
  type HandoffResult,
  type HandoffSource,
} from './handoff.ts';
import { ClientPolicing } from './clientPolicing.ts';

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

/** Seconds a continuation room holds the seats of players moving in from a hand-off. */
const HANDOFF_SEAT_HOLD_S = 15;

/** Patch (and clock) interval of a room nobody has joined yet, in milliseconds. */
const IDLE_CLOCK_MS = 250;

/** How often a room checks whether unused reservations have stopped counting (and it may unlock), in milliseconds. */
const FRESH_SEAT_CHECK_MS = 500;

/** Frames (inputs, chat, pings) a client may send per second before it is cut off as a flood. */
const MAX_FRAMES_PER_SECOND = 120;

/** Inputs a client may have queued; older ones are dropped past it. */
const INPUT_BUFFER_MAX = 32;

export class ArenaRoom extends Room<{ state: ArenaState; metadata: ArenaMetadata; input: PlayerInput }> {
  override inputs = this.defineInput(PlayerInput, {
    sanitize: (frame) => this.police.checkInput(this.frames.sender, frame, (sid) => this.spectators.has(sid)),
    bufferMaxSize: INPUT_BUFFER_MAX,
  });

  private game!: ArenaGame;
  private rewind!: Rewind;
  /** Positions for hit tests (Colyseus's rewind still stamps inputs with render times and clamps view lag). */
  private history!: LagHistory;
  private log!: Logger;
  private metrics: RoomMetrics = NO_ROOM_METRICS;
  private directory: Set<ArenaRoom> | undefined;
  private reconnectGraceS = 30;
  private readonly pacer = new InputPacer();
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
  /** Players restored from a hand-off whose clients have not arrived yet, with the hash of each seat's secret. */
  private readonly arriving = new Map<string, string>();
  /** What counts as a taken seat (see `seats.ts`). */
  private readonly seats = new SeatBook();
  private budget: RoomBudget | undefined;
  private leaderboard: LeaderboardRecorder | undefined;
  /** A private room's invite entry. */
  private invite: InviteListing | undefined;
  /** Player seats; `maxClients` counts spectators too (see `spectators.ts`). */
  maxPlayers = 0;
  spectators!: Spectators;
  /** Starts the fixed step; set in onCreate, run when the first client joins. */
  private startTicking: (() => void) | undefined;

  /** Validates the name at matchmaking, before a seat (or a room) is made for it. */
  static override async onAuth(_token: string, options: unknown): Promise<true> {
    // onCreate restores a handed-off match from `handoffKey`: only the server's own createRoom may pass one.
    if (typeof options === 'object' && options !== null && 'handoffKey' in options)
      throw new ServerError(400, 'handoffKey is not a join option');
    // Only `POST /invites` makes private rooms: a client naming a code could take over another room's.
    if (typeof options === 'object' && options !== null && 'inviteCode' in options)
      throw new ServerError(400, 'inviteCode is not a join option');
    // Spectator seats come from `POST /spectate/<roomId>` (within their own cap), never from matchmaking.
    if (isSpectatorSeat(options)) throw new ServerError(400, 'spectate is not a join option; POST /spectate/<roomId>');
    const parsed = parseJoinOptions(options);
    if (!parsed.ok) throw new ServerError(400, parsed.error);
    return true;
  }

  override async onCreate(options: ArenaRoomOptions & { handoffKey?: unknown; inviteCode?: unknown }): Promise<void> {
    if (options.budget && !options.budget.tryTake()) throw roomsFullError(options.budget.max);
    this.budget = options.budget;
    this.seatReservationTimeout = JOIN_SEAT_HOLD_S;
    this.log = options.logger.child({ roomId: this.roomId });
    this.metrics = options.metrics ?? NO_ROOM_METRICS;
    this.directory = options.directory;
    this.maxPlayers = options.maxPlayers;
    this.spectators = new Spectators(options.maxSpectators ?? 0, {
      clients: this.clients,
      reservedSeats: () => this.reservedSeats,
      // Colyseus's own reservation (private in its typings): the admission check is ours, see `spectators.ts`.
      reserveSeat: (sessionId, seatOptions) => reserveSeat(this, sessionId, seatOptions),
    });
    this.maxClients = options.maxPlayers + this.spectators.max;
    this.leaderboard = options.leaderboard;
    this.reconnectGraceS = options.reconnectGraceS;
    this.maxMessagesPerSecond = MAX_FRAMES_PER_SECOND;

    this.game = new ArenaGame(ARENA_MAP, options, {
      kill: (event) => this.broadcast(ServerMessage.Kill, event),
      roundOver: (event) => {
        this.broadcast(ServerMessage.RoundOver, event);
        this.publishListing();
        this.recordRound(event);
      },
      roundStarted: () => this.publishListing(),
      hit: (shooterId, event) => this.clients.getById(shooterId)?.send(ServerMessage.Hit, event),
    });
    this.state = this.game.state;
    this.state.reconnectGraceS = this.reconnectGraceS;
    // A restored match (below) keeps the id it began with instead.
    this.game.matchId = this.roomId;

    this.rewind = this.allowRewindState({ maxRewindMs: MAX_REWIND_MS });
    this.rewind.attachAll(this.state.players, { fields: ['x', 'y'] });

    const stepMs = 1000 / options.tickRateHz;
    this.history = new LagHistory(MAX_REWIND_MS, stepMs);
    const seen = { x: 0, y: 0 };
    const source: TickSource = {
      nextInput: (sid) => this.inputs.get(sid).next(),
      viewLagMs: (sid) => Math.max(0, this.rewind.lastRecordedAt - this.rewind.lastSeenBy(sid).time),
      positionAgo: (player: Player, lagMs: number) => this.history.positionAgo(player, lagMs, seen),
      boundsOf: (player, out) => this.history.boundsOf(player, out),
    };
    // A room nobody has joined yet costs no simulation: matchmaking can create
    // rooms faster than players arrive (or for players who never do).
    this.startTicking = () => {
      this.startTicking = undefined;
      // From now: the idle time since the clock's last tick is no backlog of steps to catch up on.
      this.clock.tick();
      this.setFixedTimestep(() => {
        if (!this.frozen) {
          this.paceInputs();
          this.metrics.timeStep(() => this.game.step(source));
        }
        this.patchAfterStep(stepMs);
      }, options.tickRateHz);
      // No patch timer of its own once stepping: a second timer of the same period fires just
      // before the step (Node runs the older timer first), so each patch would leave one step stale.
      this.patchRate = null;
    };
    // Until the first join, a slow patch timer is all the room runs: it keeps the room's clock
    // (seat checks, hand-off expiry) going. Colyseus's own clock timer for a room without one
    // would wake 60 times a second.
    this.patchRate = IDLE_CLOCK_MS;

    this.clock.setInterval(() => this.syncFullLock(), FRESH_SEAT_CHECK_MS);
    this.onMessage(ClientMessage.Chat, (client, payload) => this.handleChat(client, payload));
    this.onMessage(SpectateMessage.StepIn, (client, payload) => this.handleStepIn(client, payload));
    this.onMessage('*', (client, type) => this.police.unknownMessage(client, type));

    if (options.handoffKey !== undefined) await this.restoreFrom(options.handoffKey);
    if (options.inviteCode !== undefined) await this.openInvite(options.inviteCode);
    this.publishListing();
    this.directory?.add(this);
    this.log.info('arena room created', {
      maxPlayers: this.maxPlayers,
      maxSpectators: this.spectators.max,
      tickRateHz: options.tickRateHz,
      restored: this.arriving.size,
    });
  }

  /**
   * Continue a match handed off by another instance: its players are put back
   * under their session ids and their seats are held (the room stays locked
   * to strangers) until they arrive or {@link HANDOFF_SEAT_HOLD_S} passes.
   */
  private async restoreFrom(key: unknown): Promise<void> {
    if (typeof key !== 'string' || !key.startsWith(HANDOFF_KEY_PREFIX))
      throw new ServerError(400, 'invalid hand-off key');
    const stored: unknown = await this.presence.get(key);
    if (typeof stored !== 'string') throw new ServerError(404, 'hand-off snapshot not found or expired');
    const seats = parseSeatHashes(await this.presence.get(`${key}${HANDOFF_SEATS_SUFFIX}`));
    await Promise.resolve(this.presence.del(key));
    await Promise.resolve(this.presence.del(`${key}${HANDOFF_SEATS_SUFFIX}`));
    const parsed = parseGameSnapshot(stored);
    if (!parsed.ok) throw new ServerError(400, `hand-off snapshot rejected: ${parsed.error}`);
    this.game.restore(parsed.value);
    for (const p of parsed.value.players) {
      // A player without a seat secret can never be claimed: its seat just expires.
      const hash = seats.get(p.sessionId);
      if (hash === undefined)
        this.log.warn('handed-off player has no seat secret; seat will expire', { sessionId: p.sessionId });
      this.arriving.set(p.sessionId, hash ?? '');
    }
    // The other seats are spectators': they reserve theirs through `reserveSpectatorSeat`.
    const players = new Set(parsed.value.players.map((p) => p.sessionId));
    for (const [sessionId, hash] of seats) if (!players.has(sessionId)) this.arriving.set(sessionId, hash);
    this.seatReservationTimeout = HANDOFF_SEAT_HOLD_S;
    await this.lock();
    this.clock.setTimeout(() => void this.expireArrivals(), HANDOFF_SEAT_HOLD_S * 1000);
  }

  /** Private room: unlisted, never picked by Quick Play, reachable only through its code (see `server/invites/`). */
  private async openInvite(raw: unknown): Promise<void> {
    const parsed = parseInviteCode(raw);
    if (!parsed.ok) throw new ServerError(400, parsed.error);
    await this.setPrivate(true);
    const invite = new InviteListing(this.presence, parsed.value, this.roomId, this.log);
    this.invite = invite;
    await invite.publish();
    this.clock.setInterval(() => void invite.publish(), INVITE_REFRESH_MS);
  }

  private async expireArrivals(): Promise<void> {
    for (const sessionId of this.arriving.keys()) {
      this.game.removePlayer(sessionId);
      this.spectators.forget(sessionId);
      this.log.info('handed-off player never arrived; seat released', { sessionId });
    }
    this.arriving.clear();
    await this.unlock();
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
    return {
      roomId: this.roomId,
      roomName: this.roomName,
      presence: this.presence,
      clients: this.clients,
      game: this.game,
      inviteCode: this.invite?.code,
      spectatorIds: () => this.spectators.list(),
      setFrozen: (frozen) => {
        this.frozen = frozen;
      },
      lock: () => this.lock(),
      unlock: () => this.unlock(),
      disconnect: (code) => this.disconnect(code),
    };
  }

  /**
   * A hand-off seat is taken only with its secret (see `handoff.ts`): anyone
   * else naming that session id is refused and the seat stays held for its
   * owner. Every other seat is Colyseus's usual check.
   */
  override hasReservedSeat(sessionId: string, reconnectionToken?: string): boolean {
    const hash = this.arriving.get(sessionId);
    if (hash !== undefined && !seatSecretMatches(reconnectionToken, hash)) {
      this.log.warn('refused a hand-off seat claimed without its secret', { sessionId });
      return false;
    }
    if (!super.hasReservedSeat(sessionId, reconnectionToken)) return false;
    // Old unused reservations stop counting as taken (seats.ts): players who connected first may have filled the room.
    const newcomer =
      hash === undefined &&
      !this.spectators.has(sessionId) &&
      !SeatBook.isHeld(this.reservedSeats, sessionId) &&
      this.clients.getById(sessionId) === undefined;
    if (newcomer && this.playerSeatsTaken(sessionId) >= this.maxPlayers) {
      this.log.info('refused a seat: the room filled before its client connected', { sessionId });
      return false;
    }
    return true;
  }

  /**
   * Full when connected players, held seats and fresh reservations fill the
   * player seats; old unused reservations never do (see `seats.ts`), and
   * spectators never do (see `spectators.ts`).
   */
  override hasReachedMaxClients(): boolean {
    if (this.spectators.admitOnce()) return false;
    return this.playerSeatsTaken() >= this.maxPlayers;
  }

  /** Player seats taken (spectators left out); `except`: a client connecting now. */
  playerSeatsTaken(except?: string): number {
    return this.seats.taken(
      this.spectators.connectedPlayers(),
      this.spectators.playerReservations(),
      Date.now(),
      except,
    );
  }

  /**
   * Reserve a spectator seat, within the spectator cap, even while the player
   * seats are full. Called through `matchMaker.remoteRoomCall` from any
   * instance (`POST /spectate/<roomId>`, a hand-off keeping `sessionId`).
   */
  async reserveSpectatorSeat(sessionId?: unknown): Promise<SpectatorSeatAnswer> {
    if (this.frozen) return { ok: false, status: 503, error: 'the room is moving to another server; try again' };
    return this.spectators.reserve(typeof sessionId === 'string' && sessionId.length <= 64 ? sessionId : undefined);
  }

  /** Colyseus's reservations: knowing how old each is is the whole point of `seats.ts`. */
  private get reservedSeats(): Readonly<Record<string, ReservedSeat>> {
    return reservedSeatsOf(this);
  }

  /**
   * Keep matchmaking's lock in step with {@link hasReachedMaxClients}: Colyseus
   * locks a room when a reservation fills it but unlocks only when a seat is
   * given back, never when a reservation merely goes unused. A hand-off or a
   * restore holds its own lock.
   */
  private syncFullLock(): void {
    if (this.frozen || this.arriving.size > 0) return;
    const full = this.hasReachedMaxClients();
    if (full && !this.locked) void this.lock();
    else if (!full && this.locked) void this.unlock();
  }

  /**
   * Measure each client's queued inputs as the step starts, and ask a client
   * whose queue stays away from one step to run its input clock faster or
   * slower (see `shared/inputPace.ts`).
   */
  private paceInputs(): void {
    for (const client of this.clients) {
      if (this.spectators.has(client.sessionId)) continue;
      const depth = this.inputs.get(client.sessionId).size;
      this.metrics.observeInputDepth(depth);
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
  private patchAfterStep(stepMs: number): void {
    this.rewind.record(this.clock.elapsedTime, stepMs);
    this.history.record(this.clock.elapsedTime, this.state.players.values());
    this.broadcastPatch();
  }

  /** Colyseus's patch broadcast (encode once, send to every client), timed. */
  override broadcastPatch(): boolean {
    return this.metrics.timePatch(() => super.broadcastPatch());
  }

  override onJoin(client: Client, options: unknown): void {
    this.frames.watch(client);
    this.copyInputsIntoSlots(client);
    this.startTicking?.();
    const arrived = this.arriving.delete(client.sessionId);
    if (arrived && this.arriving.size === 0) void this.unlock();
    if (arrived && this.state.players.has(client.sessionId)) {
      this.log.info('player moved in from a hand-off', { sessionId: client.sessionId, players: this.clients.length });
      this.syncFullLock();
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
    this.syncFullLock();
    this.publishListing();
  }

  /** Add a player under `raw`, numbered when it looks like a name in the room (nobody passes for another on the scoreboard). */
  private addPlayer(sessionId: string, raw: string, identity: string | undefined): string {
    const taken = new Set([...this.state.players.values()].map((p) => nameKey(p.name)));
    const name = uniqueName(raw, (key) => taken.has(key));
    this.game.addPlayer(sessionId, name, identity);
    return name;
  }

  override async onDrop(client: Client, code?: number): Promise<void> {
    // A client cut off for misbehaviour gets no seat held; onLeave, which Colyseus calls
    // next, forgets the player. Our own cuts were logged when they were made.
    if (this.police.isCutOff(client)) return;
    // Colyseus cuts a flooding client off in the middle of dispatching its frame. The same
    // WITH_ERROR outside a dispatch is a stale socket replaced by the player's own reconnection.
    if (code === CloseCode.WITH_ERROR && this.frames.sender === client) {
      this.log.warn('disconnected a flooding client', {
        sessionId: client.sessionId,
        closeCode: code,
        limitPerS: MAX_FRAMES_PER_SECOND,
      });
      return;
    }
    if (this.reconnectGraceS <= 0) return;
    this.log.info('player dropped, holding seat', { sessionId: client.sessionId, graceS: this.reconnectGraceS });
    const socket = clientSocket(client);
    try {
      await this.allowReconnection(client, this.reconnectGraceS);
      // A reconnection can replace a socket that is still open (the server had not yet noticed it
      // dying), and Colyseus leaves that one open: drop it, or a client reconnecting over itself
      // piles up sockets that answer pings forever.
      if (clientSocket(client) !== socket) socket.terminate?.();
    } catch {
      // The seat expired or the room is closing: onLeave forgets the player either way.
    }
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
    this.forget(client);
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

  private forget(client: Client): void {
    this.game.removePlayer(client.sessionId);
    this.spectators.forget(client.sessionId);
    this.pacer.forget(client.sessionId);
    this.police.forget(client.sessionId);
    this.log.info('player left', { sessionId: client.sessionId, players: this.clients.length });
    this.syncFullLock();
    this.publishListing();
  }

  /** A spectator asks for a player seat (see `spectators.ts`). */
  private handleStepIn(client: Client, payload: unknown): void {
    const result = stepIn(
      {
        spectators: this.spectators,
        maxPlayers: this.maxPlayers,
        // Players restored from a hand-off hold their seats until they arrive, however old their reservation.
        playerSeatsTaken: () => Math.max(this.playerSeatsTaken(), this.state.players.size),
        addPlayer: (sessionId, name, identity) => {
          // Inputs a hostile spectator sent were never consumed: the player starts with none queued.
          this.inputs.get(sessionId).clear();
          return this.addPlayer(sessionId, name, identity);
        },
      },
      client.sessionId,
      payload,
    );
    if (!result) {
      this.police.strike(client, { offence: 'bad_message', detail: 'stepIn needs a valid name' });
      return;
    }
    client.send(SpectateMessage.StepInResult, result);
    if (!result.ok) return;
    this.log.info('spectator stepped in', { sessionId: client.sessionId, name: result.name });
    this.syncFullLock();
    this.publishListing();
  }

  private handleChat(client: Client, payload: unknown): void {
    const text = this.police.acceptChat(client, payload);
    if (text === undefined) return;
    // Spectators have no name of their own: they talk as "Spectator" (same limits as players).
    const name =
      this.state.players.get(client.sessionId)?.name ??
      (this.spectators.has(client.sessionId) ? SPECTATOR_CHAT_NAME : undefined);
    if (name === undefined) return;
    const message: ChatBroadcast = { fromId: client.sessionId, name, text };
    this.broadcast(ServerMessage.Chat, message);
  }

  /**
   * Hand the round's kills and win to the leaderboard: it only queues here
   * (this runs inside the fixed step); once written, clients are told so they
   * can show the updated board.
   */
  private recordRound(event: RoundOverEvent): void {
    if (!this.leaderboard) return;
    const result = roundResult(this.game.matchId, event, (sid) => this.game.identityOf(sid), Date.now());
    void this.leaderboard.submit(result).then((saved) => {
      if (saved) this.broadcast(ServerMessage.LeaderboardSaved, { round: event.round } satisfies LeaderboardSaved);
    });
  }

  /** Lobby listing: round number, phase and when it ends, so browsers can show time left. */
  private publishListing(): void {
    const metadata: ArenaMetadata = {
      mapId: this.state.mapId,
      round: this.state.round.number,
      phase: this.state.round.phase,
      phaseEndsAtEpochMs: Date.now() + this.game.phaseMsLeft,
      players: this.state.players.size,
      maxPlayers: this.maxPlayers,
      spectators: this.spectators.count(),
      maxSpectators: this.spectators.max,
    };
    void this.setMetadata(metadata).catch((error: unknown) => this.log.warn('listing update failed', { error }));
  }
}
