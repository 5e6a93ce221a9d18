/**
 * `window.__arena`: a read-only window into what the page shows, for the
 * browser test. It reads the drawn game objects (not the network state), so a
 * test asserting on it asserts on what a player sees. It exposes no way to
 * change anything.
 */
import type { ShotSummary } from './net/predictedShots.ts';

/** A player as drawn: its game object's position and the name on its label. */
export interface RenderedPlayer {
  id: string;
  name: string;
  x: number;
  y: number;
  hp: number;
  alive: boolean;
  local: boolean;
}

/** What the game scene reports while it runs. */
export interface GameProbe {
  sessionId(): string;
  roomId(): string;
  /** True while we watch without a player. */
  spectating(): boolean;
  /** The player a spectator's camera follows; null for the free camera or when playing. */
  following(): string | null;
  renderedPlayers(): RenderedPlayer[];
  /** Page (CSS pixel) coordinates of a world point under the current camera. */
  worldToPage(x: number, y: number): { x: number; y: number };
  /** Shots currently drawn. */
  projectiles(): number;
  /** Input counters: sent this connection, acknowledged by the server, and the smoothed RTT. */
  netStats(): NetStats;
}

/** Input pipeline counters, for diagnosing a stuck or lagging connection and for the feel harness. */
export interface NetStats {
  sent: number;
  acked: number;
  rttMs: number;
  /** How far in the past remote players are drawn now (adaptive), ms. */
  interpDelayMs: number;
  /** Measured snapshot jitter, ms. */
  jitterMs: number;
  /** Input clock rate the server asked for (1 = nominal). */
  inputRateScale: number;
  /** Prediction corrections over 4 px so far (respawns excluded). */
  corrections: number;
  /** How our predicted shots fared against the server's verdicts. */
  shots: ShotSummary;
}

/** What the lobby scene reports while it runs. */
export interface LobbyProbe {
  rooms(): Array<{ roomId: string; clients: number; maxClients: number }>;
  error(): string;
}

let game: GameProbe | null = null;
let lobby: LobbyProbe | null = null;

/** Called by GameScene on create (probe) and shutdown (null). */
export function setGameProbe(probe: GameProbe | null): void {
  game = probe;
}

/** Called by LobbyScene on create (probe) and shutdown (null). */
export function setLobbyProbe(probe: LobbyProbe | null): void {
  lobby = probe;
}

/** The public shape of `window.__arena`. */
export interface ArenaTestHook {
  /** 'lobby', 'game', or 'booting' before the first scene runs. */
  scene(): 'lobby' | 'game' | 'booting';
  /** Renderer Phaser picked: 'webgl' or 'canvas'. */
  renderer(): string;
  sessionId(): string | null;
  roomId(): string | null;
  spectating(): boolean;
  following(): string | null;
  renderedPlayers(): RenderedPlayer[];
  worldToPage(x: number, y: number): { x: number; y: number } | null;
  projectiles(): number;
  netStats(): NetStats | null;
  lobbyRooms(): Array<{ roomId: string; clients: number; maxClients: number }>;
  lobbyError(): string | null;
}

declare global {
  interface Window {
    __arena?: ArenaTestHook;
  }
}

/** Install `window.__arena`; `rendererName` reports the renderer in use. */
export function installTestHook(rendererName: () => string): void {
  const hook: ArenaTestHook = {
    scene: () => (game ? 'game' : lobby ? 'lobby' : 'booting'),
    renderer: rendererName,
    sessionId: () => game?.sessionId() ?? null,
    roomId: () => game?.roomId() ?? null,
    spectating: () => game?.spectating() ?? false,
    following: () => game?.following() ?? null,
    renderedPlayers: () => game?.renderedPlayers() ?? [],
    worldToPage: (x, y) => game?.worldToPage(x, y) ?? null,
    projectiles: () => game?.projectiles() ?? 0,
    netStats: () => game?.netStats() ?? null,
    lobbyRooms: () => lobby?.rooms() ?? [],
    lobbyError: () => lobby?.error() ?? null,
  };
  Object.defineProperty(window, '__arena', { value: Object.freeze(hook), writable: false, configurable: false });
}
