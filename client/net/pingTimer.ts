/** Measuring the round trip for the HUD: a ping now and every `everyMs`, skipped while the connection is down. */

/** The part of a room the timer uses (`room.ping`). */
export interface Pingable {
  ping(callback: (ms: number) => void): void;
}

export interface PingTimerOptions {
  /** Milliseconds between pings. */
  everyMs: number;
  /** True while pings would only queue up (reconnecting). */
  paused(): boolean;
  /** Each answer's round trip, in ms. */
  onRtt(ms: number): void;
}

/** Ping `room` at once and then every `everyMs`; returns the function that stops it. */
export function startPingTimer(room: Pingable, options: PingTimerOptions): () => void {
  const ping = (): void => {
    if (!options.paused()) room.ping((ms) => options.onRtt(ms));
  };
  ping();
  const timer = setInterval(ping, options.everyMs);
  return () => clearInterval(timer);
}
