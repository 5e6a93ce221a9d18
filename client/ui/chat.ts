/**
 * A chat box: a scrolling log of chat lines, notices and system lines, and an
 * input. Enter anywhere opens it (when `enterOpens`), Enter sends, Escape
 * closes. Text is checked with the shared `parseChat` first so an empty or
 * overlong line gets an answer at once; the server re-checks everything.
 */
import { parseChat, type ChatBroadcast } from '../../shared/messages.ts';
import { CHAT_MAX_LENGTH } from '../../shared/constants.ts';
import { el, isTyping } from './dom.ts';

const MAX_LINES = 60;
/** Lines fade after this long unless the box is open, so old chat does not clutter the game. */
const FADE_AFTER_MS = 12_000;

/** How a chat box behaves: where text goes and whether it acts like in-game chat. */
export interface ChatBoxOptions {
  placeholder: string;
  /** Called with validated text. */
  send(text: string): void;
  /** Enter pressed outside any text field focuses the input (in game). */
  enterOpens: boolean;
  /** Fade old lines while the input is closed (in game). */
  fade: boolean;
  /** Called when the input gains or loses focus. */
  focusChanged?(focused: boolean): void;
}

/** A chat log plus its input line, as DOM; the owner appends `root` where it wants it. */
export class ChatBox {
  readonly root: HTMLElement;
  private readonly log: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly timers = new Set<number>();

  private readonly onWindowKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Enter' || isTyping(event.target)) return;
    event.preventDefault();
    this.input.focus();
  };

  constructor(private readonly options: ChatBoxOptions) {
    this.log = el('div', { class: 'chat-log', attrs: { 'aria-live': 'polite' } });
    this.input = el('input', {
      class: 'chat-input',
      attrs: {
        type: 'text',
        maxlength: String(CHAT_MAX_LENGTH * 2),
        placeholder: options.placeholder,
        'aria-label': 'Chat message',
        autocomplete: 'off',
        enterkeyhint: 'send',
      },
      on: {
        keydown: (event) => this.onInputKey(event),
        focus: () => {
          this.root.classList.add('open');
          options.focusChanged?.(true);
        },
        blur: () => {
          this.root.classList.remove('open');
          options.focusChanged?.(false);
        },
      },
    });
    this.root = el('div', { class: options.fade ? 'chat fading' : 'chat' }, [this.log, this.input]);
    if (options.enterOpens) window.addEventListener('keydown', this.onWindowKey);
  }

  /** Open the input for typing (the touch Chat button: a phone has no Enter key to do it). */
  open(): void {
    this.root.classList.add('open');
    this.input.focus();
  }

  /** A chat line from a player; `color` is their CSS colour. */
  addChat(message: ChatBroadcast, color: string): void {
    const who = el('span', { class: 'who', text: message.name });
    who.style.color = color;
    this.append(el('div', { class: 'line' }, [who, el('span', { class: 'said', text: message.text })]));
  }

  /** A refusal or warning addressed to us. */
  addNotice(text: string): void {
    this.append(el('div', { class: 'line notice', text }));
  }

  /** A line from the game itself (joins, round changes). */
  addSystem(text: string): void {
    this.append(el('div', { class: 'line system', text }));
  }

  destroy(): void {
    window.removeEventListener('keydown', this.onWindowKey);
    for (const t of this.timers) window.clearTimeout(t);
    this.timers.clear();
    this.root.remove();
  }

  private onInputKey(event: KeyboardEvent): void {
    event.stopPropagation();
    if (event.key === 'Escape') {
      this.input.value = '';
      this.input.blur();
      return;
    }
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const raw = this.input.value;
    if (raw.trim() === '') {
      if (this.options.enterOpens) this.input.blur();
      return;
    }
    const parsed = parseChat({ text: raw });
    if (!parsed.ok) {
      this.addNotice(parsed.error);
      return;
    }
    this.options.send(parsed.value.text);
    this.input.value = '';
    if (this.options.enterOpens) this.input.blur();
  }

  private append(line: HTMLElement): void {
    this.log.append(line);
    while (this.log.childElementCount > MAX_LINES) this.log.firstElementChild?.remove();
    this.log.scrollTop = this.log.scrollHeight;
    if (this.options.fade) {
      const t = window.setTimeout(() => {
        this.timers.delete(t);
        line.classList.add('stale');
      }, FADE_AFTER_MS);
      this.timers.add(t);
    }
  }
}
