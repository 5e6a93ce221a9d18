/**
 * Everything the bots of one run count, shared by all of them: plain numbers
 * and histograms, so a frame costs a few additions. The runner reads it once
 * a second for the live line and the time series.
 */
import { LogHistogram } from './stats.ts';

/** A histogram kept twice: per sampling window (reset each second) and for the measured phase. */
export class Windowed {
  readonly window = new LogHistogram();
  readonly total = new LogHistogram();

  record(value: number): void {
    this.window.record(value);
    this.total.record(value);
  }
}

/** At most this many error and state-check messages are kept verbatim for the report. */
const MAX_SAMPLES = 20;

export class Collector {
  /** Bots the run wants connected now (grows during the ramp). */
  target = 0;
  /** Bots in a room right now. */
  connected = 0;
  /** Highest `connected` seen. */
  connectedMax = 0;
  /** Bots decoding the full state (the checkers and one per room that shares its view). */
  decoders = 0;

  joinAttempts = 0;
  joinErrors = 0;
  /** Connections lost unexpectedly (after which the SDK tries to reconnect). */
  drops = 0;
  reconnects = 0;
  /** Errors of any kind after joining: error frames, closes we did not ask for, failed reconnections. */
  errors = 0;

  /** WebSocket payload bytes (what the SDK sees), and the same plus WebSocket frame headers. */
  bytesIn = 0;
  bytesOut = 0;
  wireBytesIn = 0;
  wireBytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  /** State patches received (each one is an update). */
  patches = 0;
  /** Room messages received (chat, kill feed, notices…). */
  messagesIn = 0;
  inputsSent = 0;
  chatsSent = 0;
  /** Chats the server refused as too fast (should stay 0: bots keep the server's rate). */
  chatsRefused = 0;

  /** State checks run by decoding bots, and the ones that failed. */
  stateChecks = 0;
  stateViolations = 0;
  probesSent = 0;
  /** Probes never seen by the observing bot within the probe timeout. */
  probesLost = 0;
  /** Scheduled bot ticks that were skipped because the bot process fell a whole period behind. */
  skippedTicks = 0;

  /** Ping round trip, ms. */
  readonly rttMs = new Windowed();
  /** Time between two consecutive state patches at one client, ms. */
  readonly updateIntervalMs = new Windowed();
  /** From a bot sending an input to another client seeing its effect, ms. */
  readonly inputToUpdateMs = new Windowed();

  readonly errorSamples: string[] = [];
  readonly violationSamples: string[] = [];

  error(what: string): void {
    this.errors += 1;
    if (this.errorSamples.length < MAX_SAMPLES) this.errorSamples.push(what);
  }

  joinFailed(what: string): void {
    this.joinErrors += 1;
    if (this.errorSamples.length < MAX_SAMPLES) this.errorSamples.push(`join: ${what}`);
  }

  violation(what: string): void {
    this.stateViolations += 1;
    if (this.violationSamples.length < MAX_SAMPLES) this.violationSamples.push(what);
  }

  setConnected(delta: number): void {
    this.connected += delta;
    if (this.connected > this.connectedMax) this.connectedMax = this.connected;
  }

  /** The plain counters, for differences between two moments. */
  counters(): CounterSnapshot {
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      wireBytesIn: this.wireBytesIn,
      wireBytesOut: this.wireBytesOut,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      patches: this.patches,
      messagesIn: this.messagesIn,
      inputsSent: this.inputsSent,
      chatsSent: this.chatsSent,
      errors: this.errors,
      joinErrors: this.joinErrors,
      reconnects: this.reconnects,
      drops: this.drops,
    };
  }
}

export interface CounterSnapshot {
  bytesIn: number;
  bytesOut: number;
  wireBytesIn: number;
  wireBytesOut: number;
  framesIn: number;
  framesOut: number;
  patches: number;
  messagesIn: number;
  inputsSent: number;
  chatsSent: number;
  errors: number;
  joinErrors: number;
  reconnects: number;
  drops: number;
}

/** `later - earlier`, field by field. */
export function counterDelta(later: CounterSnapshot, earlier: CounterSnapshot): CounterSnapshot {
  const out = { ...later };
  for (const key of Object.keys(out) as Array<keyof CounterSnapshot>) out[key] = later[key] - earlier[key];
  return out;
}

/** Size of a WebSocket frame header for a payload of `n` bytes (+4 for a client's mask key). */
export function wsHeaderBytes(n: number, masked: boolean): number {
  return (n < 126 ? 2 : n < 65536 ? 4 : 10) + (masked ? 4 : 0);
}
