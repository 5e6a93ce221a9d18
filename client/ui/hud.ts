/**
 * The in-game heads-up display, as DOM over the canvas: our health and score
 * (top left), the round clock (top centre), connection and room (top right),
 * the kill feed, and the controls hint. `update` runs every frame but only
 * touches the DOM when a shown value changed.
 */
import { PLAYER_MAX_HP } from '../../shared/constants.ts';
import type { KillEvent } from '../../shared/messages.ts';
import { RoundPhase } from '../../shared/state.ts';
import { cssColor, hpColor } from '../render/palette.ts';
import { el, formatClock } from './dom.ts';

/** Everything the HUD shows, read from the state each frame. */
export interface HudModel {
  name: string;
  hp: number;
  alive: boolean;
  kills: number;
  deaths: number;
  score: number;
  round: number;
  phase: number;
  secondsLeft: number;
  /** Round-trip time in ms, or null until measured. */
  pingMs: number | null;
  players: number;
  roomId: string;
}

const KILL_FEED_MAX = 5;
const KILL_FEED_TTL_MS = 7000;

/** The HUD overlay; the owner appends `root` to the UI layer and calls `update` every frame. */
export class Hud {
  readonly root: HTMLElement;
  private readonly nameEl = el('div', { class: 'hud-name' });
  private readonly hpFill = el('div', { class: 'hp-fill' });
  private readonly hpText = el('div', { class: 'hp-text' });
  private readonly statsEl = el('div', { class: 'hud-stats' });
  private readonly roundEl = el('div', { class: 'round-label' });
  private readonly clockEl = el('div', { class: 'round-clock' });
  private readonly pingEl = el('div', { class: 'ping' });
  private readonly roomEl = el('div', { class: 'room-info' });
  private readonly feed = el('div', { class: 'killfeed' });
  /** Last value written per slot, so unchanged text is never rewritten. */
  private readonly shown = new Map<string, string>();

  constructor() {
    const me = el('div', { class: 'card hud-me' }, [
      this.nameEl,
      el('div', { class: 'hp-bar' }, [this.hpFill, this.hpText]),
      this.statsEl,
    ]);
    const round = el('div', { class: 'card hud-round' }, [this.roundEl, this.clockEl]);
    const net = el('div', { class: 'card hud-net' }, [this.pingEl, this.roomEl]);
    const hint = el('div', {
      class: 'hint',
      text: 'WASD / arrows move · mouse aims · click or Space fires · Enter chats',
    });
    this.root = el('div', { class: 'hud' }, [me, round, net, this.feed, hint]);
  }

  update(m: HudModel): void {
    this.set('name', this.nameEl, m.name);
    const hp = m.alive ? m.hp : 0;
    const fraction = Math.max(0, Math.min(1, hp / PLAYER_MAX_HP));
    if (this.changed('hp', `${hp}`)) {
      this.hpFill.style.width = `${(fraction * 100).toFixed(1)}%`;
      this.hpFill.style.background = cssColor(hpColor(fraction));
      this.hpText.textContent = `${hp} HP`;
    }
    this.set('stats', this.statsEl, `Score ${m.score}  ·  ${m.kills} K / ${m.deaths} D`);
    const scoreboard = m.phase === RoundPhase.Scoreboard;
    this.set('round', this.roundEl, scoreboard ? `Round ${m.round} over · next in` : `Round ${m.round}`);
    this.set('clock', this.clockEl, formatClock(m.secondsLeft));
    this.clockEl.classList.toggle('urgent', !scoreboard && m.secondsLeft <= 10);
    this.set(
      'ping',
      this.pingEl,
      m.pingMs === null ? 'ping …' : m.pingMs < 1 ? 'ping <1 ms' : `ping ${Math.round(m.pingMs)} ms`,
    );
    if (this.changed('pingClass', pingClass(m.pingMs))) this.pingEl.dataset.quality = pingClass(m.pingMs);
    this.set('room', this.roomEl, `${m.players} player${m.players === 1 ? '' : 's'} · room ${m.roomId}`);
  }

  /** Add a kill feed line; lines involving us are highlighted. */
  addKill(event: KillEvent, localId: string, colorOf: (sessionId: string) => string): void {
    const killer = el('span', { class: 'who', text: event.killerName });
    killer.style.color = colorOf(event.killerId);
    const victim = el('span', { class: 'who', text: event.victimName });
    victim.style.color = colorOf(event.victimId);
    const mine = event.killerId === localId || event.victimId === localId;
    const line = el('div', { class: mine ? 'kill mine' : 'kill' }, [
      killer,
      el('span', { class: 'icon', text: ' ⟶ ' }),
      victim,
    ]);
    this.feed.prepend(line);
    while (this.feed.childElementCount > KILL_FEED_MAX) this.feed.lastElementChild?.remove();
    window.setTimeout(() => line.remove(), KILL_FEED_TTL_MS);
  }

  destroy(): void {
    this.root.remove();
  }

  private changed(key: string, value: string): boolean {
    if (this.shown.get(key) === value) return false;
    this.shown.set(key, value);
    return true;
  }

  private set(key: string, node: HTMLElement, text: string): void {
    if (this.changed(key, text)) node.textContent = text;
  }
}

function pingClass(ms: number | null): string {
  if (ms === null) return 'unknown';
  if (ms < 80) return 'good';
  if (ms < 160) return 'fair';
  return 'poor';
}
