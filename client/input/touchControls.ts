/**
 * Virtual sticks for touch screens, as DOM over the canvas: a finger landing
 * on the left half of the screen grows a move stick where it landed, one on
 * the right half an aim stick (push past the inner ring to fire), both at
 * once with two thumbs; plus a Chat button, since a phone has no Enter key to
 * open chat. The layer takes every touch that lands on it (and cancels its
 * default), so Phaser never turns a thumb into a mouse click; the math lives
 * in touchSticks.ts.
 */
import { el, isTyping } from '../ui/dom.ts';
import type { Controls } from './controls.ts';
import {
  FIRE_THRESHOLD,
  readStick,
  STICK_RADIUS_PX,
  stickSide,
  touchCommand,
  type HeldStick,
  type TouchCommand,
} from './touchSticks.ts';

/** A touch controller as `Controls` sees it: read once per input step. */
export interface TouchSource {
  command(): TouchCommand;
  /** Let go of both sticks (chat opened, window blurred). */
  release(): void;
  dispose(): void;
}

/** Class set on `<html>` while touch controls are on, so the HUD makes room for the sticks. */
export const TOUCH_CLASS = 'touch';

/**
 * Whether to show touch controls: `?touch=1` or `?touch=0` in the page URL
 * decides (a touch laptop with a mouse, a test), otherwise a coarse primary
 * pointer does (phones and tablets; never the user agent string).
 */
export function touchControlsWanted(search: string, coarsePointer: boolean): boolean {
  const forced = new URLSearchParams(search).get('touch');
  if (forced === '1') return true;
  if (forced === '0') return false;
  return coarsePointer;
}

interface Held extends HeldStick {
  readonly id: number;
}

/** One stick's drawing: a base ring with the fire ring inside, and a knob. */
class StickView {
  readonly root: HTMLElement;
  private readonly knob = el('div', { class: 'stick-knob' });

  constructor(side: 'move' | 'aim') {
    const size = `${STICK_RADIUS_PX * 2}px`;
    const ring = side === 'aim' ? el('div', { class: 'stick-fire-ring' }) : null;
    if (ring) ring.style.setProperty('--fire', String(FIRE_THRESHOLD));
    this.root = el('div', { class: `stick ${side}`, attrs: { 'data-stick': side } }, [ring, this.knob]);
    this.root.style.width = size;
    this.root.style.height = size;
  }

  /** Draw the stick held at its base, or back at its resting place (CSS) when `held` is null. */
  show(held: HeldStick | null): void {
    this.root.classList.toggle('held', held !== null);
    if (!held) {
      this.root.style.left = '';
      this.root.style.top = '';
      this.knob.style.transform = '';
      this.root.classList.remove('firing');
      return;
    }
    const reading = readStick(held);
    this.root.style.left = `${held.origin.x - STICK_RADIUS_PX}px`;
    this.root.style.top = `${held.origin.y - STICK_RADIUS_PX}px`;
    this.knob.style.transform = `translate(${reading.knobX}px, ${reading.knobY}px)`;
    this.root.classList.toggle('firing', reading.magnitude >= FIRE_THRESHOLD);
  }
}

/** The sticks' touch layer and the Chat button; `root` goes first in the game UI so buttons stay above it. */
export class TouchControls implements TouchSource {
  readonly root: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly moveView = new StickView('move');
  private readonly aimView = new StickView('aim');
  private move: Held | null = null;
  private aim: Held | null = null;

  private readonly onTouch = (event: TouchEvent): void => {
    // Ours, not the browser's (scroll, zoom, synthetic mouse) nor Phaser's (its window listeners skip prevented events).
    event.preventDefault();
    if (event.type === 'touchstart') {
      this.dropLost(event.touches);
      // Touching the game again closes the chat input (and the on-screen keyboard), as a click outside would.
      if (isTyping()) (document.activeElement as HTMLElement).blur();
    }
    for (const touch of event.changedTouches) {
      const at = { x: touch.clientX, y: touch.clientY };
      if (event.type === 'touchstart') this.press(touch.identifier, at);
      else if (event.type === 'touchmove') this.drag(touch.identifier, at);
      else this.lift(touch.identifier);
    }
    this.draw();
  };

  constructor(openChat: () => void) {
    this.layer = el('div', { class: 'touch-layer', attrs: { 'data-testid': 'touch-layer' } }, [
      this.moveView.root,
      this.aimView.root,
    ]);
    for (const type of ['touchstart', 'touchmove', 'touchend', 'touchcancel'] as const) {
      this.layer.addEventListener(type, this.onTouch, { passive: false });
    }
    const chat = el('button', {
      class: 'btn small touch-chat',
      text: 'Chat',
      attrs: { type: 'button', 'aria-label': 'Open chat' },
      on: { click: openChat },
    });
    this.root = el('div', { class: 'touch-controls' }, [this.layer, chat]);
    document.documentElement.classList.add(TOUCH_CLASS);
  }

  command(): TouchCommand {
    return touchCommand(this.move, this.aim);
  }

  release(): void {
    this.move = null;
    this.aim = null;
    this.draw();
  }

  dispose(): void {
    for (const type of ['touchstart', 'touchmove', 'touchend', 'touchcancel'] as const) {
      this.layer.removeEventListener(type, this.onTouch);
    }
    document.documentElement.classList.remove(TOUCH_CLASS);
    this.root.remove();
  }

  private press(id: number, at: { x: number; y: number }): void {
    const held: Held = { id, origin: at, at };
    // A third finger, or a second one on a side already held, is ignored rather than stealing the stick.
    if (stickSide(at.x, window.innerWidth) === 'move') this.move ??= held;
    else this.aim ??= held;
  }

  private drag(id: number, at: { x: number; y: number }): void {
    if (this.move?.id === id) this.move = { ...this.move, at };
    if (this.aim?.id === id) this.aim = { ...this.aim, at };
  }

  private lift(id: number): void {
    if (this.move?.id === id) this.move = null;
    if (this.aim?.id === id) this.aim = null;
  }

  /** A finger whose end the page never saw (an alert, a system gesture) must not hold its stick forever. */
  private dropLost(touches: TouchList): void {
    const live = new Set<number>();
    for (const touch of touches) live.add(touch.identifier);
    if (this.move && !live.has(this.move.id)) this.move = null;
    if (this.aim && !live.has(this.aim.id)) this.aim = null;
  }

  private draw(): void {
    this.moveView.show(this.move);
    this.aimView.show(this.aim);
  }
}

/**
 * Put touch controls in front of `controls` when this device wants them
 * (`touchControlsWanted`); returns their DOM for the game UI, or null.
 */
export function mountTouchControls(controls: Controls, openChat: () => void): HTMLElement | null {
  const coarse = window.matchMedia?.('(pointer: coarse)').matches ?? false;
  if (!touchControlsWanted(window.location.search, coarse)) return null;
  const touch = new TouchControls(openChat);
  controls.attachTouch(touch);
  return touch.root;
}
