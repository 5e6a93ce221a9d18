/**
 * The match's DOM overlay over the canvas: HUD, chat, the death card, the
 * scoreboard between rounds (with the leaderboard), the reconnect notice,
 * the invite box of a private room, the spectator bar, the touch controls
 * and the Leave button. What each shows this frame comes from `hudModel.ts`;
 * the kill and round events that only arrive as messages are kept here.
 */
import { ClientMessage, type KillEvent, type RoundOverEvent, type ScoreRow } from '../../shared/messages.ts';
import type { Controls } from '../input/controls.ts';
import { mountTouchControls } from '../input/touchControls.ts';
import type { ArenaRoom } from '../net/connection.ts';
import { fetchBoard } from '../net/leaderboard.ts';
import { ChatBox } from './chat.ts';
import { el, uiRoot } from './dom.ts';
import { Hud } from './hud.ts';
import { hudModel, overlayFor, type MatchView } from './hudModel.ts';
import { InviteBox } from './inviteBox.ts';
import { LeaderboardPanel } from './leaderboardPanel.ts';
import { DeathOverlay, ReconnectOverlay, ScoreboardOverlay } from './overlays.ts';

/** What the overlay is built from. */
export interface MatchUiOptions {
  room: ArenaRoom;
  controls: Controls;
  /** Where the leaderboard is read (`GET /leaderboard`). */
  serverUrl: string;
  /** A private room's invite code: its links are shown to pass on. */
  inviteCode: string | undefined;
  /** The spectator bar, while we watch. */
  spectatorBar: HTMLElement | null;
  /** The respawn delay to count down until a kill event names ours, in ms (what the last match learned). */
  respawnInMs: number;
  /** The Leave button was pressed. */
  leave(): void;
}

export class MatchUi {
  readonly chat: ChatBox;
  readonly reconnect: ReconnectOverlay;
  private readonly hud = new Hud();
  private readonly death = new DeathOverlay();
  private readonly scoreboard: ScoreboardOverlay;
  private readonly root: HTMLElement;
  private lastRoundOver: RoundOverEvent | null = null;
  private killedBy: string | null = null;
  /** The server's respawn delay, from the last kill event that named us. */
  private respawnDelayMs: number;

  /** Build the overlay and put it on the page. */
  constructor(options: MatchUiOptions) {
    const { room, controls } = options;
    this.respawnDelayMs = options.respawnInMs;
    this.chat = new ChatBox({
      placeholder: 'Enter to chat · Esc to cancel',
      send: (text) => room.send(ClientMessage.Chat, { text }),
      enterOpens: true,
      fade: true,
      focusChanged: (focused) => {
        if (focused) controls.releaseAll();
      },
    });
    this.reconnect = new ReconnectOverlay(() => room.state.reconnectGraceS ?? 0);
    this.scoreboard = new ScoreboardOverlay(
      new LeaderboardPanel((board) => fetchBoard(options.serverUrl, board, 5), 'round-leaderboard'),
    );
    const leave = el('button', {
      class: 'btn small leave',
      text: 'Leave',
      attrs: { type: 'button' },
      on: { click: () => options.leave() },
    });
    const invite =
      options.inviteCode === undefined ? null : new InviteBox(options.inviteCode, window.location.origin).root;
    this.root = el('div', { class: 'game-ui' }, [
      mountTouchControls(controls, () => this.chat.open()),
      this.hud.root,
      this.chat.root,
      this.death.root,
      this.scoreboard.root,
      this.reconnect.root,
      invite,
      options.spectatorBar,
      leave,
    ]);
    uiRoot().append(this.root);
  }

  /** A kill, for the feed; when we are the victim, who did it and when we respawn. */
  kill(event: KillEvent, localId: string, colorOf: (sessionId: string) => string): void {
    this.hud.addKill(event, localId, colorOf);
    if (event.victimId === localId) {
      this.killedBy = event.killerName;
      this.respawnDelayMs = event.respawnInMs;
    }
  }

  /** The round ended: its final scores stand on the scoreboard until the next one. */
  roundOver(event: RoundOverEvent): void {
    this.lastRoundOver = event;
    this.chat.addSystem(`Round ${event.round} over. Winner: ${event.rows[0]?.name ?? 'nobody'}.`);
  }

  /** The server's respawn delay as last learned, in ms. */
  get respawnInMs(): number {
    return this.respawnDelayMs;
  }

  /** The finished round is on the leaderboard now. */
  boardUpdated(): void {
    this.scoreboard.boardUpdated();
  }

  /**
   * Show `view` at `now` (ms, `performance.now()`): the HUD, and the
   * scoreboard or the death card when it calls for one. `liveScores` are the
   * scores straight from the state, for a player who joined during the
   * scoreboard (no round-over event to read).
   */
  update(view: MatchView, now: number, localId: string, liveScores: () => ScoreRow[]): void {
    this.hud.update(hudModel(view));
    const overlay = overlayFor(view);
    if (overlay === 'scoreboard') {
      this.death.hide();
      const rows = this.lastRoundOver?.rows ?? liveScores();
      this.scoreboard.show(view.round?.number ?? 1, rows, localId, view.round?.secondsLeft ?? 0);
      return;
    }
    this.scoreboard.hide();
    if (overlay === 'death') {
      if (!this.death.visible) this.death.show(this.killedBy, now + this.respawnDelayMs);
      this.death.update(now);
    } else if (this.death.visible) {
      this.death.hide();
      this.killedBy = null;
    }
  }

  /** Take the overlay off the page. */
  destroy(): void {
    this.chat.destroy();
    this.root.remove();
  }
}
