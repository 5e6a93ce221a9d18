/**
 * A tiny element builder so the DOM views read as markup without a framework.
 * Text goes in through `textContent` only: player names and chat are untrusted.
 */

type Child = Node | string | null | undefined | false;

/** Attributes and properties `el` understands. */
export interface ElOptions {
  class?: string;
  text?: string;
  attrs?: Record<string, string>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

/** Create an element with classes, text, attributes, listeners and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElOptions = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  for (const [type, handler] of Object.entries(options.on ?? {})) {
    node.addEventListener(type, handler as EventListener);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** The overlay layer that sits above the game canvas. */
export function uiRoot(): HTMLElement {
  const root = document.getElementById('ui');
  if (!root) throw new Error('index.html must contain <div id="ui">');
  return root;
}

/** `m:ss` for a duration in whole seconds; negative durations show as 0:00. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** True when keyboard focus is in a text field, so game keys must not act. */
export function isTyping(target: EventTarget | null = document.activeElement): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}
