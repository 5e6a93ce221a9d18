/**
 * Centre-screen overlays: the death notice with its respawn countdown, the
 * "reconnecting" banner while the SDK retries a dropped socket, and the end of
 * round scoreboard.
 */
import type { ScoreRow } from '../../shared/messages.ts';
import { el, formatClock } from './dom.ts';
import type { LeaderboardPanel } from './leaderboardPanel.ts';

/** "Eliminated by X — respawning in 1.2 s". */
export class DeathOverlay {
  readonly root: HTMLElement;
  private readonly title = el('div', { class: 'overlay-title', text: 'You were eliminated' });
  private readonly detail = el('div', { class: 'overlay-detail' });
  private respawnAt = 0;

  constructor() {
    this.root = el('div', { class: 'overlay death hidden', attrs: { role: 'status' } }, [this.title, this.detail]);
  }

  get visible(): boolean {
    return !this.root.classList.contains('hidden');
  }

  /** Show it; `respawnAt` is a `performance.now()` time estimate for the respawn. */
  show(killerName: string | null, respawnAt: number): void {
    this.title.textContent = killerName ? `Eliminated by ${killerName}` : 'You were eliminated';
    this.respawnAt = respawnAt;
    this.root.classList.remove('hidden');
  }

  update(now: number): void {
    if (!this.visible) return;
    const left = Math.max(0, (this.respawnAt - now) / 1000);
    this.detail.textContent = left > 0.05 ? `dead — respawning in ${left.toFixed(1)} s` : 'dead — respawning…';
  }

  hide(): void {
    this.root.classList.add('hidden');
  }

  destroy(): void {
    this.root.remove();
  }
}

/** The banner shown while the SDK tries to get a dropped connection back. */
export class ReconnectOverlay {
  readonly root: HTMLElement;
  private readonly detail = el('div', { class: 'overlay-detail' });

  /** @param graceS seconds the server holds our seat (read when the overlay shows: the room's state says). */
  constructor(private readonly graceS: () => number) {
    this.root = el('div', { class: 'overlay reconnect hidden', attrs: { role: 'alert' } }, [
      el('div', { class: 'spinner' }),
      el('div', { class: 'overlay-title', text: 'Connection lost — reconnecting…' }),
      this.detail,
    ]);
  }

  get visible(): boolean {
    return !this.root.classList.contains('hidden');
  }

  show(): void {
    this.detail.textContent = `Your place is held for ${this.graceS()} s.`;
    this.root.classList.remove('hidden');
  }

  hide(): void {
    this.root.classList.add('hidden');
  }

  destroy(): void {
    this.root.remove();
  }
}

/** The end of round table, and the leaderboard under it once the round is on it. */
export class ScoreboardOverlay {
  readonly root: HTMLElement;
  /** Shown once this round's results are recorded (see {@link boardUpdated}). */
  private boardShown = false;
  private readonly title = el('div', { class: 'overlay-title' });
  private readonly body = el('tbody');
  private readonly footer = el('div', { class: 'overlay-detail' });
  private rowsKey = '';

  /** `board`: the leaderboard panel shown under the round's table. */
  constructor(private readonly board: LeaderboardPanel) {
    board.root.classList.add('hidden');
    const table = el('table', { class: 'scores' }, [
      el('thead', {}, [
        el(
          'tr',
          {},
          ['#', 'Player', 'Score', 'Kills', 'Deaths'].map((h) => el('th', { text: h })),
        ),
      ]),
      this.body,
    ]);
    this.root = el('div', { class: 'overlay scoreboard hidden' }, [this.title, table, this.footer, board.root]);
  }

  /** This round is on the boards now: show the leaderboard, read afresh. */
  boardUpdated(): void {
    this.boardShown = true;
    this.board.root.classList.remove('hidden');
    void this.board.refresh();
  }

  get visible(): boolean {
    return !this.root.classList.contains('hidden');
  }

  show(round: number, rows: readonly ScoreRow[], localId: string, secondsLeft: number): void {
    this.title.textContent = `Round ${round} — final scores`;
    const key = JSON.stringify(rows);
    if (key !== this.rowsKey) {
      this.rowsKey = key;
      this.body.replaceChildren(
        ...rows.map((r, i) =>
          el('tr', { class: r.sessionId === localId ? 'me' : '' }, [
            el('td', { text: String(i + 1) }),
            el('td', { text: r.name }),
            el('td', { text: String(r.score) }),
            el('td', { text: String(r.kills) }),
            el('td', { text: String(r.deaths) }),
          ]),
        ),
      );
    }
    this.footer.textContent = `Next round in ${formatClock(secondsLeft)}`;
    this.root.classList.remove('hidden');
  }

  hide(): void {
    if (this.boardShown) {
      this.boardShown = false;
      this.board.root.classList.add('hidden');
    }
    this.root.classList.add('hidden');
  }

  destroy(): void {
    this.root.remove();
  }
}
