/**
 * Over 300 lines on purpose: one bot's life (join, meter, play, probe, chat,
 * leave) around one SDK room; its SDK internals are in sdkInternals.ts.
 *
 * One bot: a real SDK client that joins through matchmaking like a browser,
 * sends one input per tick with the shared input schema, plays by
 * {@link decide}, chats within the server's rate, pings for RTT, and counts
 * every frame it sends and receives.
 *
 * Decoding: a bot that decodes (a checker, or the first bot in its room, see
 * `world.ts`) keeps the SDK's schema serializer and checks the state on every
 * patch. The others skim (`skimState` in `sdkInternals.ts`) right after joining: the
 * SDK still parses each frame's header (so input acks and its clock work)
 * but hands the state bytes to a serializer that ignores them.
 */
import { performance } from 'node:perf_hooks';
import { Client, Protocol, type InputHandle, type Room } from '@colyseus/sdk';
import { CHAT_BURST, CHAT_REFILL_MS, PLAYER_MAX_HP, TICK_RATE_HZ } from '../shared/constants.ts';
import { PlayerInput, type InputFrame } from '../shared/input.ts';
import { ARENA_MAP, type Point } from '../shared/map.ts';
import { InputClock } from '../shared/inputPace.ts';
import { ClientMessage, ServerMessage, type Notice } from '../shared/messages.ts';
import type { ArenaState } from '../shared/state.ts';
import { decide, newMemory, type BrainMemory } from './brain.ts';
import { wsHeaderBytes, type Collector } from './collector.ts';
import type { RoomWorld, Worlds } from './world.ts';
import { meterFrames, skimState } from './sdkInternals.ts';
import { followHandoffs } from '../netcode/handoff.ts';
import { protocolCode } from '../shared/wire.ts';
import { TokenBucket } from '../shared/tokenBucket.ts';
import { applyInputPace, sendInputs } from '../netcode/input.ts';
import { reconnectSoon } from '../netcode/reconnect.ts';

const DT_S = 1 / TICK_RATE_HZ;
const TICK_MS = 1000 / TICK_RATE_HZ;
/** Ticks a probe's marker aim is held, so it survives a tick that consumes two inputs. */
const PROBE_HOLD_TICKS = 3;
const CHATTER = [
  'gg',
  'nice shot',
  'where is everyone',
  'behind the wall!',
  'one more round',
  'lag?',
  'watch the middle',
  'hi all',
];

export type Behaviour = 'play' | 'idle';

export interface BotOptions {
  /** Server base URL, `http(s)://host:port`. */
  url: string;
  /** Player name (1–16 letters, digits, space, `_ - .`). */
  name: string;
  /** Always decode the full state and check it, whatever the room's sharing. */
  checker: boolean;
  /** `play`: move, aim and shoot; `idle`: stand still (still one input per tick). */
  behaviour: Behaviour;
  /** Mean seconds between chat messages (0: never). */
  chatMeanIntervalS: number;
  /** Ticks between pings (RTT samples). */
  pingEveryTicks: number;
  /** Ticks between input-to-update probes (0: never). */
  probeEveryTicks: number;
  collector: Collector;
  worlds: Worlds;
  random: () => number;
}

export class Bot {
  room: Room<unknown, ArenaState> | undefined;
  /** True while in a room (between join and leave). */
  playing = false;
  /** True when this bot decodes the full state. */
  decodes = false;
  private leaving = false;
  private world: RoomWorld | undefined;
  private input: InputHandle<PlayerInput> | undefined;
  private readonly memory: BrainMemory;
  private ticks = 0;
  private readonly pingPhase: number;
  private readonly probePhase: number;
  private probeTicksLeft = 0;
  private probeAimRad = 0;
  /** The server's chat bucket, refilling 10 % slower, so network jitter never makes a chat arrive early. */
  private readonly chatBucket = new TokenBucket(CHAT_BURST, CHAT_REFILL_MS * 1.1);
  private lastPatchAtMs = -1;
  private readonly inputClock = new InputClock();

  constructor(private readonly options: BotOptions) {
    this.memory = newMemory(options.random);
    this.pingPhase = Math.floor(options.random() * options.pingEveryTicks);
    this.probePhase = Math.floor(options.random() * Math.max(1, options.probeEveryTicks));
  }

  /** Join through matchmaking; rejects with the server's reason. */
  async join(): Promise<void> {
    const c = this.options.collector;
    c.joinAttempts += 1;
    // Each bot keeps its own cookie, as a browser keeps a load balancer's affinity cookie.
    const client = new Client(this.options.url, {
      headers: { cookie: `arena_affinity=${encodeURIComponent(this.options.name)}` },
    });
    this.attach(client, await client.joinOrCreate<ArenaState>('arena', { name: this.options.name }));
  }

  /**
   * Play in `room`. Synchronous on purpose: the full state arrives in a later
   * frame (after the join acknowledgement), so the serializer can still be
   * swapped before any state is decoded.
   */
  private attach(client: Client, room: Room<unknown, ArenaState>): void {
    const c = this.options.collector;
    this.room = room;
    // Like the browser client: reconnect even soon after joining (a drained
    // instance cuts the sockets it forwards); a hand-off's room may allow less.
    reconnectSoon(room);
    this.world = this.options.worlds.get(room.roomId);
    if (this.options.checker || this.world.eyes === undefined) {
      this.decodes = true;
      c.decoders += 1;
      if (this.world.eyes === undefined) {
        this.world.eyes = room.sessionId;
        this.world.state = room.state;
      }
      room.onStateChange((state) => this.onState(state));
    } else {
      skimState(room);
    }
    this.meter(room);
    this.input = room.input<PlayerInput>({ type: PlayerInput });
    room.onMessage('*', (type: string | number, payload: unknown) => this.onMessage(type, payload));
    room.onDrop(() => {
      c.drops += 1;
    });
    room.onReconnect(() => {
      c.reconnects += 1;
    });
    room.onError((code, message) => c.error(`${this.options.name}: error ${code} ${message ?? ''}`.trim()));
    room.onLeave((code, reason) => {
      if (this.room === room) this.onLeave(code, reason);
    });
    // A draining server moves the room: follow it like a player would (counted as a reconnection).
    followHandoffs(client, room, {
      onMoved: (next) => {
        this.release(room);
        // The new room decides afresh whether this bot decodes (it may no longer be the first there).
        this.decodes = false;
        c.reconnects += 1;
        this.attach(client, next as Room<unknown, ArenaState>);
      },
      onFailed: (error) => c.error(`${this.options.name}: could not follow a hand-off: ${String(error)}`),
    });
    this.playing = true;
    c.setConnected(1);
  }

  /** Stop counting `room` as ours (left, or replaced by a hand-off). */
  private release(room: Room<unknown, ArenaState>): void {
    const c = this.options.collector;
    if (this.playing) c.setConnected(-1);
    this.playing = false;
    if (this.decodes) c.decoders -= 1;
    if (this.world) this.options.worlds.release(room.roomId, room.sessionId);
  }

  /** Count every frame in and out, and time the gaps between state patches. */
  private meter(room: Room<unknown, ArenaState>): void {
    const c = this.options.collector;
    meterFrames(room, {
      received: (data) => {
        const n = data.byteLength;
        c.bytesIn += n;
        c.wireBytesIn += n + wsHeaderBytes(n, false);
        c.framesIn += 1;
        if (n > 0 && protocolCode(new Uint8Array(data, 0, 1)[0]!) === Protocol.ROOM_STATE_PATCH) {
          const now = performance.now();
          c.patches += 1;
          if (this.lastPatchAtMs >= 0) c.updateIntervalMs.record(now - this.lastPatchAtMs);
          this.lastPatchAtMs = now;
        }
      },
      sent: (data) => {
        c.bytesOut += data.byteLength;
        c.wireBytesOut += data.byteLength + wsHeaderBytes(data.byteLength, true);
        c.framesOut += 1;
      },
    });
  }

  private onMessage(type: string | number, payload: unknown): void {
    const c = this.options.collector;
    c.messagesIn += 1;
    if (type === ServerMessage.Notice && (payload as Notice | undefined)?.code === 'chat_rate') c.chatsRefused += 1;
    if (type === ServerMessage.InputPace) {
      const error = applyInputPace(this.inputClock, payload);
      if (error !== undefined) c.error(`${this.options.name}: invalid inputPace: ${error}`);
    }
  }

  private onLeave(code: number, reason: string | undefined): void {
    const c = this.options.collector;
    if (this.room) this.release(this.room);
    if (!this.leaving) c.error(`${this.options.name}: left unexpectedly (${code}${reason ? `: ${reason}` : ''})`);
  }

  /** A decoding bot's check of every state it sees; the eyes also resolve their room's probes. */
  private onState(state: ArenaState): void {
    const c = this.options.collector;
    const room = this.room!;
    const players = state.players;
    if (!players) return;
    c.stateChecks += 1;
    // The server adds the player before it acknowledges the join, so it is in every state this bot receives.
    if (!players.get(room.sessionId))
      c.violation(`${this.options.name}: own player ${room.sessionId} missing from the state`);
    for (const [id, p] of players) {
      const inside =
        Number.isFinite(p.x) &&
        Number.isFinite(p.y) &&
        p.x >= 0 &&
        p.y >= 0 &&
        p.x <= ARENA_MAP.widthPx &&
        p.y <= ARENA_MAP.heightPx;
      if (!inside) c.violation(`${this.options.name}: player ${id} at (${p.x}, ${p.y}) is outside the map`);
      if (!(p.hp >= 0 && p.hp <= PLAYER_MAX_HP)) c.violation(`${this.options.name}: player ${id} has hp ${p.hp}`);
    }
    if (this.world?.eyes === room.sessionId)
      c.probesLost += this.world.resolveProbes(performance.now(), c.inputToUpdateMs);
  }

  /** What this bot sees of its room: itself and the living others (nothing when no bot decodes the room). */
  private perceive(): { self: { x: number; y: number; alive: boolean } | undefined; enemies: Point[] } {
    const players = this.world?.state?.players;
    const sessionId = this.room!.sessionId;
    const self = players?.get(sessionId);
    const enemies: Point[] = [];
    if (players) for (const [id, p] of players) if (id !== sessionId && p.alive) enemies.push(p);
    return { self, enemies };
  }

  /** One tick: decide, send exactly one input, and now and then ping, chat or probe. */
  tick(nowMs: number): void {
    if (!this.playing || !this.room || !this.input || !this.room.connection.isOpen) return;
    this.ticks += 1;
    const o = this.options;
    const frame: InputFrame =
      o.behaviour === 'idle'
        ? { moveX: 0, moveY: 0, aimRad: this.memory.aimRad, fire: false }
        : decide(this.memory, this.perceive(), ARENA_MAP, DT_S, o.random);
    this.maybeProbe(frame, nowMs);
    // One input per tick, a few more or fewer when the server asks (`inputPace`), like the browser.
    o.collector.inputsSent += sendInputs(this.input, this.inputClock, 1, () => frame);

    if (this.ticks % o.pingEveryTicks === this.pingPhase) {
      const sentAt = performance.now();
      this.room.ping(() => o.collector.rttMs.record(performance.now() - sentAt));
    }
    this.maybeChat(nowMs);
  }

  /** Mark this input (hold an aim opposite to the current one) for the room's eyes to time. */
  private maybeProbe(frame: InputFrame, nowMs: number): void {
    const o = this.options;
    const world = this.world;
    if (this.probeTicksLeft > 0) {
      this.probeTicksLeft -= 1;
      frame.aimRad = this.probeAimRad;
      return;
    }
    if (o.probeEveryTicks <= 0 || this.ticks % o.probeEveryTicks !== this.probePhase) return;
    if (
      !world?.state ||
      world.eyes === undefined ||
      world.eyes === this.room!.sessionId ||
      world.probes.has(this.room!.sessionId)
    )
      return;
    const aim = (((frame.aimRad + Math.PI) % (Math.PI * 2)) + Math.PI * 2) % (Math.PI * 2);
    this.probeAimRad = aim;
    this.probeTicksLeft = PROBE_HOLD_TICKS - 1;
    frame.aimRad = aim;
    world.probes.set(this.room!.sessionId, { aimRad: aim, sentAtMs: nowMs });
    o.collector.probesSent += 1;
  }

  /** Chat at random, never faster than the server's token bucket allows. */
  private maybeChat(nowMs: number): void {
    const o = this.options;
    if (o.chatMeanIntervalS <= 0) return;
    if (o.random() >= TICK_MS / (o.chatMeanIntervalS * 1000) || !this.chatBucket.tryTake(nowMs)) return;
    this.room!.send(ClientMessage.Chat, { text: CHATTER[Math.floor(o.random() * CHATTER.length)]! });
    o.collector.chatsSent += 1;
  }

  /** Leave the room (consented); resolves when the server has closed the connection or after `timeoutMs`. */
  async leave(timeoutMs = 3000): Promise<void> {
    this.leaving = true;
    const room = this.room;
    if (!room || !this.playing) return;
    // A connection that is not open (mid-reconnection) makes the SDK's leave reject: nothing to leave then.
    await Promise.race([
      room.leave(true).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }
}
