/**
 * The lobby screen as DOM: name field, Quick Play, the live room list with
 * players and time left in each round, and lobby chat. It only displays and
 * reports clicks; LobbyScene decides what they do.
 */
import { NAME_MAX_LENGTH } from '../../shared/constants.ts';
import type { ChatBroadcast } from '../../shared/messages.ts';
import { RoundPhase } from '../../shared/state.ts';
import type { ArenaListing } from '../net/lobby.ts';
import { ChatBox } from './chat.ts';
import { el, formatClock } from './dom.ts';

/** What the lobby view reports; the scene decides what each click does. */
export interface LobbyViewEvents {
  quickPlay(name: string): void;
  join(roomId: string, name: string): void;
  /** Make a private room (its invite link is shown in the game). */
  createPrivate(name: string): void;
  /** Follow the invite this page was opened with. */
  joinInvite(code: string, name: string): void;
  /** Watch a listed room as a spectator (the name, if valid, is kept for stepping in). */
  watch(roomId: string, name: string): void;
  /** Watch the private room this page's invite or watch link leads to. */
  watchInvite(code: string, name: string): void;
  chat(name: string, text: string): void;
}

/** The lobby panel as DOM; the scene appends `root` to the UI layer. */
export class LobbyView {
  readonly root: HTMLElement;
  readonly chat: ChatBox;
  /** Where the scene puts the leaderboard panel (below the chat, so the room list and chat keep their place). */
  readonly leaderboardSlot = el('div', { class: 'leaderboard-slot' });
  private readonly nameInput: HTMLInputElement;
  private readonly playButton: HTMLButtonElement;
  private readonly privateButton: HTMLButtonElement;
  private readonly inviteButton: HTMLButtonElement;
  private readonly watchButton: HTMLButtonElement;
  private readonly inviteBanner = el('div', {
    class: 'invite-banner hidden',
    attrs: { 'data-testid': 'invite-banner' },
  });
  /** The invite this page was opened with, until it is used up or fails. */
  private inviteCode: string | undefined;
  private readonly errorEl = el('div', {
    class: 'lobby-error',
    attrs: { role: 'alert', 'data-testid': 'lobby-error' },
  });
  private readonly statusEl = el('div', { class: 'lobby-status' });
  private readonly list = el('tbody');
  private readonly emptyRow = el('tr', { class: 'empty' }, [
    el('td', { attrs: { colspan: '5' }, text: 'No rooms yet — Quick Play opens one.' }),
  ]);
  private rooms: readonly ArenaListing[] = [];
  private busy = false;

  /**
   * `inviteCode`: the page was opened through an invite link; the lobby
   * offers that room first. `watchLink`: it was the watch variant of the
   * link (`/#/w/<code>`), so watching is offered first.
   */
  constructor(
    initialName: string,
    private readonly events: LobbyViewEvents,
    inviteCode?: string,
    watchLink = false,
  ) {
    this.nameInput = el('input', {
      class: 'name-input',
      attrs: {
        type: 'text',
        placeholder: 'Your name',
        maxlength: String(NAME_MAX_LENGTH * 2),
        'aria-label': 'Player name',
        autocomplete: 'nickname',
        spellcheck: 'false',
      },
      on: {
        input: () => this.showError(null),
        keydown: (event) => {
          if (event.key !== 'Enter') return;
          if (this.inviteCode === undefined) this.playButton.click();
          else (watchLink ? this.watchButton : this.inviteButton).click();
        },
      },
    });
    this.nameInput.value = initialName;
    this.playButton = el('button', {
      class: 'btn primary',
      text: 'Quick Play',
      attrs: { type: 'button' },
      on: { click: () => this.events.quickPlay(this.name) },
    });
    this.privateButton = el('button', {
      class: 'btn private-room',
      text: 'Create private room',
      attrs: { type: 'button', title: 'A room only people with its link can join' },
      on: { click: () => this.events.createPrivate(this.name) },
    });
    this.inviteButton = el('button', {
      class: 'btn primary join-invite',
      text: "Join friend's room",
      attrs: { type: 'button' },
      on: { click: () => this.inviteCode !== undefined && this.events.joinInvite(this.inviteCode, this.name) },
    });
    this.watchButton = el('button', {
      class: `btn ${watchLink ? 'primary ' : ''}watch-invite`,
      text: 'Watch',
      attrs: { type: 'button', title: 'Watch the match without playing; step in later if a seat is free' },
      on: { click: () => this.inviteCode !== undefined && this.events.watchInvite(this.inviteCode, this.name) },
    });
    if (watchLink) this.inviteButton.classList.remove('primary');
    this.inviteBanner.append(
      el('span', {
        text: watchLink
          ? "You're invited to watch a private match. Watch, or enter your name and join."
          : "You're invited to a private room. Enter your name and join.",
      }),
      this.inviteButton,
      this.watchButton,
    );
    this.inviteCode = inviteCode;
    this.inviteBanner.classList.toggle('hidden', inviteCode === undefined);

    this.chat = new ChatBox({
      placeholder: 'Say something to the lobby…',
      send: (text) => events.chat(this.name, text),
      enterOpens: false,
      fade: false,
    });

    const table = el('table', { class: 'rooms' }, [
      el('thead', {}, [
        el(
          'tr',
          {},
          ['Room', 'Players', 'Round', 'Time left', ''].map((h) => el('th', { text: h })),
        ),
      ]),
      this.list,
    ]);
    this.list.append(this.emptyRow);

    const panel = el('div', { class: 'lobby-panel card' }, [
      el('h1', { class: 'title' }, [el('span', { text: 'ARENA' })]),
      el('p', { class: 'tagline', text: 'Top-down free-for-all. Four hits and you are out.' }),
      this.inviteBanner,
      el('div', { class: 'play-row' }, [this.nameInput, this.playButton, this.privateButton]),
      this.errorEl,
      el('div', { class: 'rooms-head' }, [el('h2', { text: 'Open rooms' }), this.statusEl]),
      el('div', { class: 'rooms-wrap' }, [table]),
      el('h2', { text: 'Lobby chat' }),
      this.chat.root,
      this.leaderboardSlot,
    ]);
    this.root = el('div', { class: 'lobby' }, [panel]);
  }

  /** The name as typed (validation happens on join). */
  get name(): string {
    return this.nameInput.value;
  }

  focusName(): void {
    this.nameInput.focus();
    this.nameInput.select();
  }

  /** Disable the join buttons while a join is in flight. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    this.playButton.disabled = busy;
    this.playButton.textContent = busy ? 'Joining…' : 'Quick Play';
    this.privateButton.disabled = busy;
    this.inviteButton.disabled = busy;
    this.watchButton.disabled = busy;
    for (const b of this.list.querySelectorAll('button')) b.disabled = busy;
  }

  /** Show a join error under the name field; null clears it. */
  showError(text: string | null): void {
    this.errorEl.textContent = text ?? '';
    this.errorEl.classList.toggle('shown', text !== null);
  }

  /** The invite cannot be used (expired, full, broken): say why and leave Quick Play as the way on. */
  dropInvite(message: string): void {
    this.inviteCode = undefined;
    this.inviteBanner.classList.add('hidden');
    this.showError(`${message} Quick Play to join another game.`);
  }

  setStatus(text: string): void {
    this.statusEl.textContent = text;
  }

  setRooms(rooms: readonly ArenaListing[]): void {
    this.rooms = rooms;
    this.list.replaceChildren(...(rooms.length ? rooms.map((r) => this.row(r)) : [this.emptyRow]));
    this.refreshTimes(Date.now());
  }

  /** Recompute every row's time left; call about once a second. */
  refreshTimes(nowEpochMs: number): void {
    for (const tr of this.list.querySelectorAll<HTMLTableRowElement>('tr[data-room-id]')) {
      const room = this.rooms.find((r) => r.roomId === tr.dataset.roomId);
      const cell = tr.querySelector<HTMLElement>('.time-left');
      if (!room || !cell) continue;
      const meta = room.metadata;
      cell.textContent = meta ? formatClock((meta.phaseEndsAtEpochMs - nowEpochMs) / 1000) : '—';
    }
  }

  addChat(message: ChatBroadcast, color: string): void {
    this.chat.addChat(message, color);
  }

  destroy(): void {
    this.chat.destroy();
    this.root.remove();
  }

  private row(room: ArenaListing): HTMLTableRowElement {
    const meta = room.metadata;
    // Spectators count in Colyseus's clients: the metadata has the players.
    const players = meta?.players ?? room.clients;
    const maxPlayers = meta?.maxPlayers ?? room.maxClients;
    const full = maxPlayers > 0 && players >= maxPlayers;
    const phase = meta
      ? meta.phase === RoundPhase.Scoreboard
        ? `${meta.round} · scores`
        : `${meta.round} · playing`
      : '—';
    const fill = el('div', { class: 'fill' });
    fill.style.width = `${maxPlayers ? Math.min(100, (players / maxPlayers) * 100) : 0}%`;
    const join = el('button', {
      class: 'btn small join',
      text: full || room.locked ? 'Full' : 'Join',
      attrs: { type: 'button' },
      on: { click: () => this.events.join(room.roomId, this.name) },
    });
    join.disabled = this.busy || full || room.locked;
    const watchable = meta !== undefined && meta.maxSpectators > 0 && meta.spectators < meta.maxSpectators;
    const watch = el('button', {
      class: 'btn small watch',
      text: 'Watch',
      attrs: { type: 'button', title: watchable ? 'Watch without playing' : 'No spectator seat free' },
      on: { click: () => this.events.watch(room.roomId, this.name) },
    });
    watch.disabled = this.busy || !watchable;
    const watching = meta && meta.spectators > 0 ? ` · ${meta.spectators} watching` : '';
    return el('tr', { attrs: { 'data-room-id': room.roomId, 'data-players': String(players) } }, [
      el('td', { class: 'room-id', text: room.roomId }),
      el('td', { class: 'players' }, [
        el('span', { class: 'count', text: `${players}/${maxPlayers}${watching}` }),
        el('div', { class: 'meter' }, [fill]),
      ]),
      el('td', { class: 'phase', text: phase }),
      el('td', { class: 'time-left' }),
      el('td', { class: 'action' }, [join, watch]),
    ]);
  }
}
