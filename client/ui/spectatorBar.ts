/**
 * What a spectator sees on top of the match: who the camera follows (or
 * "Free camera"), every player as a button to follow, previous/next and
 * free-camera buttons, and "Step in" with a name field. It only displays and
 * reports clicks; the game scene decides what they do.
 */
import { NAME_MAX_LENGTH } from '../../shared/constants.ts';
import { el } from './dom.ts';

/** What the bar reports. */
export interface SpectatorBarEvents {
  follow(sessionId: string): void;
  cycle(step: 1 | -1): void;
  freeCamera(): void;
  stepIn(name: string): void;
}

/** A player the spectator can follow. */
export interface Watchable {
  id: string;
  name: string;
}

/** The spectator's bar; the scene appends `root` to its UI. */
export class SpectatorBar {
  readonly root: HTMLElement;
  private readonly watching = el('span', { class: 'watching', attrs: { 'data-testid': 'watching' } });
  private readonly players = el('div', { class: 'spectator-row players' });
  private readonly nameInput: HTMLInputElement;
  private readonly stepInButton: HTMLButtonElement;
  private readonly message = el('div', { class: 'spectator-message', attrs: { role: 'status' } });
  /** What the player list shows now, so it is rebuilt only when it changes. */
  private shown = '';

  constructor(
    initialName: string,
    private readonly events: SpectatorBarEvents,
  ) {
    const button = (text: string, title: string, click: () => void): HTMLButtonElement =>
      el('button', { class: 'btn small', text, attrs: { type: 'button', title }, on: { click } });
    this.nameInput = el('input', {
      class: 'step-in-name',
      attrs: {
        type: 'text',
        placeholder: 'Your name',
        maxlength: String(NAME_MAX_LENGTH * 2),
        'aria-label': 'Name to play under',
        spellcheck: 'false',
      },
      on: { keydown: (event) => event.key === 'Enter' && this.stepInButton.click() },
    });
    this.nameInput.value = initialName;
    this.stepInButton = el('button', {
      class: 'btn small primary step-in',
      text: 'Step in',
      attrs: { type: 'button', title: 'Play in this match if a seat is free' },
      on: { click: () => this.events.stepIn(this.nameInput.value) },
    });
    this.root = el('div', { class: 'spectator-bar card', attrs: { 'data-testid': 'spectator-bar' } }, [
      el('div', { class: 'spectator-row' }, [
        button('◀', 'Previous player (Q)', () => events.cycle(-1)),
        this.watching,
        button('▶', 'Next player (E)', () => events.cycle(1)),
        button('Free camera', 'Move the camera yourself (F, arrow keys or drag)', () => events.freeCamera()),
      ]),
      this.players,
      el('div', { class: 'spectator-row' }, [this.nameInput, this.stepInButton]),
      this.message,
    ]);
    this.say('Watching. Q / E switch players, F or the arrow keys fly a free camera.');
  }

  /** Show whom the camera follows (undefined: free camera) among `players`. */
  update(players: readonly Watchable[], following: string | undefined): void {
    const followed = players.find((p) => p.id === following);
    this.watching.textContent = followed ? `Following ${followed.name}` : 'Free camera';
    const key = JSON.stringify([players, following]);
    if (key === this.shown) return;
    this.shown = key;
    this.players.replaceChildren(
      ...players.map((p) =>
        el('button', {
          class: `btn small player-chip${p.id === following ? ' following' : ''}`,
          text: p.name,
          attrs: { type: 'button', 'data-player-id': p.id, title: `Follow ${p.name}` },
          on: { click: () => this.events.follow(p.id) },
        }),
      ),
    );
  }

  /** Disable "Step in" while a request is out. */
  setBusy(busy: boolean): void {
    this.stepInButton.disabled = busy;
  }

  /** A line under the bar: a hint, or why stepping in was refused. */
  say(text: string, refused = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('refused', refused);
  }
}
