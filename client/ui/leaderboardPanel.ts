/**
 * A leaderboard table: today's board or the all-time one (tabs), wins then
 * kills, our own entry highlighted, and our place below the table when we
 * rank lower than the rows shown. Used in the lobby and on the round-over
 * screen; it only displays what `load` answers.
 */
import type { BoardName, LeaderboardEntry, LeaderboardPage } from '../../shared/leaderboard.ts';
import { el } from './dom.ts';

/** Where the panel gets a board from (a fetch, in the page). */
export type BoardLoader = (board: BoardName) => Promise<LeaderboardPage>;

const BOARD_LABELS: Record<BoardName, string> = { daily: 'Today', alltime: 'All time' };

export class LeaderboardPanel {
  readonly root: HTMLElement;
  private readonly body = el('tbody');
  private readonly status = el('div', { class: 'leaderboard-status' });
  private readonly tabs = new Map<BoardName, HTMLButtonElement>();
  private board: BoardName = 'daily';
  /** Bumped per load, so an older answer arriving late never overwrites a newer one. */
  private loadSeq = 0;

  /** `testId` names the panel for the browser tests (`data-testid`). */
  constructor(
    private readonly load: BoardLoader,
    testId: string,
  ) {
    for (const board of ['daily', 'alltime'] as const) {
      this.tabs.set(
        board,
        el('button', {
          class: 'tab',
          text: BOARD_LABELS[board],
          attrs: { type: 'button', 'data-board': board },
          on: { click: () => this.show(board) },
        }),
      );
    }
    const table = el('table', { class: 'scores leaderboard-table' }, [
      el('thead', {}, [
        el(
          'tr',
          {},
          ['#', 'Player', 'Wins', 'Kills'].map((h) => el('th', { text: h })),
        ),
      ]),
      this.body,
    ]);
    this.root = el('section', { class: 'leaderboard', attrs: { 'data-testid': testId } }, [
      el('div', { class: 'leaderboard-head' }, [
        el('h2', { text: 'Leaderboard' }),
        el('div', { class: 'tabs', attrs: { role: 'tablist' } }, [...this.tabs.values()]),
      ]),
      table,
      this.status,
    ]);
    this.markTab();
  }

  /** Show `board` (fetching it afresh). */
  show(board: BoardName): Promise<void> {
    this.board = board;
    this.markTab();
    return this.refresh();
  }

  /** Fetch the board shown again (after a round was recorded). */
  async refresh(): Promise<void> {
    const seq = ++this.loadSeq;
    const board = this.board;
    if (this.body.childElementCount === 0) this.status.textContent = 'Loading…';
    try {
      const page = await this.load(board);
      if (seq !== this.loadSeq) return;
      this.render(page);
    } catch (error) {
      if (seq !== this.loadSeq) return;
      this.status.textContent = error instanceof Error ? error.message : 'Leaderboard unavailable.';
    }
  }

  private render(page: LeaderboardPage): void {
    const rows = page.entries.map((e) => this.row(e));
    if (page.you && !page.entries.some((e) => e.own)) {
      rows.push(el('tr', { class: 'gap' }, [el('td', { attrs: { colspan: '4' }, text: '…' })]), this.row(page.you));
    }
    this.body.replaceChildren(...rows);
    this.status.textContent =
      page.entries.length === 0
        ? page.board === 'daily'
          ? 'Nobody has scored today yet. Win a round to be first.'
          : 'Nobody has scored yet.'
        : page.you
          ? ''
          : 'Score a kill or win a round to get on the board.';
  }

  private row(entry: LeaderboardEntry): HTMLTableRowElement {
    return el('tr', { class: entry.own ? 'me' : '', attrs: { 'data-rank': String(entry.rank) } }, [
      el('td', { text: String(entry.rank) }),
      el('td', { class: 'leader-name', text: entry.name }),
      el('td', { class: 'leader-wins', text: String(entry.wins) }),
      el('td', { class: 'leader-kills', text: String(entry.kills) }),
    ]);
  }

  private markTab(): void {
    for (const [board, tab] of this.tabs) {
      tab.classList.toggle('active', board === this.board);
      tab.setAttribute('aria-selected', String(board === this.board));
    }
  }
}
