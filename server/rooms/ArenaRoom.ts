/**
 * The `arena` room: wires Colyseus (inputs, fixed timestep, lag-compensation
 * history, messages, reconnection) to the match rules in {@link ArenaGame}.
 * The rules live elsewhere; this file only translates.
 */
import { Room, ServerError, type Client, type Rewind } from '@colyseus/core';
import { CHAT_BURST, CHAT_REFILL_MS, MAX_REWIND_MS } from '../../shared/constants.ts';
import { PlayerInput, sanitizeInput } from '../../shared/input.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import {
  ClientMessage,
  parseChat,
  parseJoinOptions,
  ServerMessage,
  type ArenaMetadata,
  type ChatBroadcast,
  type Notice,
} from '../../shared/messages.ts';
import type { ArenaState, Player } from '../../shared/state.ts';
import { ArenaGame, type GameRules, type TickSource } from '../game/ArenaGame.ts';
import { ChatLimiter } from '../game/chatLimiter.ts';
import type { Logger } from '../logger.ts';
import { NO_ROOM_METRICS, type RoomMetrics } from '../metrics.ts';

/** Options the server passes when it defines the room (not client-controlled). */
export interface ArenaRoomOptions extends GameRules {
  maxPlayers: number;
  reconnectGraceS: number;
  logger: Logger;
  /** Times each fixed step and patch broadcast; nothing is recorded when absent. */
  metrics?: RoomMetrics | undefined;
}

/** Frames (inputs, chat, pings) a client may send per second before it is cut off as a flood. */
const MAX_FRAMES_PER_SECOND = 120;

export class ArenaRoom extends Room<{ state: ArenaState; metadata: ArenaMetadata; input: PlayerInput }> {
  override inputs = this.defineInput(PlayerInput, { sanitize: sanitizeInput, bufferMaxSize: 32 });

  private game!: ArenaGame;
  private rewind!: Rewind;
  private log!: Logger;
  private metrics: RoomMetrics = NO_ROOM_METRICS;
  private reconnectGraceS = 30;
  private readonly chat = new ChatLimiter(CHAT_BURST, CHAT_REFILL_MS);

  /** Validates the name at matchmaking, before a seat (or a room) is made for it. */
  static override async onAuth(_token: string, options: unknown): Promise<true> {
    const parsed = parseJoinOptions(options);
    if (!parsed.ok) throw new ServerError(400, parsed.error);
    return true;
  }

  override onCreate(options: ArenaRoomOptions): void {
    this.log = options.logger.child({ roomId: this.roomId });
    this.metrics = options.metrics ?? NO_ROOM_METRICS;
    this.maxClients = options.maxPlayers;
    this.reconnectGraceS = options.reconnectGraceS;
    this.maxMessagesPerSecond = MAX_FRAMES_PER_SECOND;
    this.patchRate = 1000 / options.tickRateHz;

    this.game = new ArenaGame(ARENA_MAP, options, {
      kill: (event) => this.broadcast(ServerMessage.Kill, event),
      roundOver: (event) => {
        this.broadcast(ServerMessage.RoundOver, event);
        this.publishListing();
      },
      roundStarted: () => this.publishListing(),
    });
    this.state = this.game.state;

    this.rewind = this.allowRewindState({ maxRewindMs: MAX_REWIND_MS });
    this.rewind.attachAll(this.state.players, { fields: ['x', 'y'] });

    const source: TickSource = {
      nextInput: (sid) => this.inputs.get(sid).next(),
      viewLagMs: (sid) => Math.max(0, this.rewind.lastRecordedAt - this.rewind.lastSeenBy(sid).time),
      positionAgo: (player: Player, lagMs: number) => {
        if (lagMs <= 0) return { x: player.x, y: player.y };
        const view = this.rewind.at(this.rewind.lastRecordedAt - lagMs);
        return { x: view.value(player, 'x'), y: view.value(player, 'y') };
      },
    };
    this.setFixedTimestep(() => this.metrics.timeStep(() => this.game.step(source)), options.tickRateHz);

    this.onMessage(ClientMessage.Chat, (client, payload) => this.handleChat(client, payload));
    this.onMessage('*', (client, type) => {
      this.notify(client, { code: 'bad_message', message: `unknown message type "${String(type).slice(0, 40)}"` });
    });

    this.publishListing();
    this.log.info('arena room created', { maxPlayers: this.maxClients, tickRateHz: options.tickRateHz });
  }

  /** Colyseus's patch broadcast (encode once, send to every client), timed. */
  override broadcastPatch(): boolean {
    return this.metrics.timePatch(() => super.broadcastPatch());
  }

  override onJoin(client: Client, options: unknown): void {
    const parsed = parseJoinOptions(options);
    if (!parsed.ok) throw new ServerError(400, parsed.error);
    this.game.addPlayer(client.sessionId, parsed.value.name);
    this.log.info('player joined', { sessionId: client.sessionId, name: parsed.value.name, players: this.clients.length });
  }

  override async onDrop(client: Client): Promise<void> {
    if (this.reconnectGraceS <= 0) return this.forget(client);
    this.log.info('player dropped, holding seat', { sessionId: client.sessionId, graceS: this.reconnectGraceS });
    try {
      await this.allowReconnection(client, this.reconnectGraceS);
    } catch {
      // The seat expired or the room is closing: onLeave forgets the player either way.
    }
  }

  override onReconnect(client: Client): void {
    this.log.info('player reconnected', { sessionId: client.sessionId });
  }

  override onLeave(client: Client): void {
    this.forget(client);
  }

  override onUncaughtException(error: Error, methodName: string): void {
    this.log.error('room handler failed; room keeps running', { methodName, error });
  }

  private forget(client: Client): void {
    this.game.removePlayer(client.sessionId);
    this.chat.forget(client.sessionId);
    this.log.info('player left', { sessionId: client.sessionId, players: this.clients.length });
  }

  private handleChat(client: Client, payload: unknown): void {
    const parsed = parseChat(payload);
    if (!parsed.ok) return this.notify(client, { code: 'chat_invalid', message: parsed.error });
    if (!this.chat.tryTake(client.sessionId, this.clock.currentTime)) {
      return this.notify(client, { code: 'chat_rate', message: 'you are sending chat messages too fast' });
    }
    const player = this.state.players.get(client.sessionId);
    if (!player) return;
    const message: ChatBroadcast = { fromId: client.sessionId, name: player.name, text: parsed.value.text };
    this.broadcast(ServerMessage.Chat, message);
  }

  private notify(client: Client, notice: Notice): void {
    client.send(ServerMessage.Notice, notice);
  }

  /** Lobby listing: round number, phase and when it ends, so browsers can show time left. */
  private publishListing(): void {
    const metadata: ArenaMetadata = {
      mapId: this.state.mapId,
      round: this.state.round.number,
      phase: this.state.round.phase,
      phaseEndsAtEpochMs: Date.now() + this.game.phaseMsLeft,
    };
    void this.setMetadata(metadata).catch((error: unknown) => this.log.warn('listing update failed', { error }));
  }
}

