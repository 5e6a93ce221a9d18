/**
 * Keyboard state for movement and the trigger. Keys are read by physical
 * position (`KeyboardEvent.code`), so WASD sits under the same fingers on
 * AZERTY or Dvorak. Nothing reacts while a text field has focus, so typing
 * chat never walks the player around. Touch sticks, when attached, feed the
 * same command, so every input frame has one shape whatever made it.
 */
import { isTyping } from '../ui/dom.ts';
import type { TouchSource } from './touchControls.ts';

const UP = new Set(['KeyW', 'ArrowUp']);
const DOWN = new Set(['KeyS', 'ArrowDown']);
const LEFT = new Set(['KeyA', 'ArrowLeft']);
const RIGHT = new Set(['KeyD', 'ArrowRight']);
const FIRE = new Set(['Space']);
/** Keys whose browser default (scrolling) must not happen while playing. */
const SWALLOW = new Set([...UP, ...DOWN, ...LEFT, ...RIGHT, ...FIRE]);

/** The movement and trigger part of one input. */
export interface MoveAndFire {
  moveX: -1 | 0 | 1;
  moveY: -1 | 0 | 1;
  fire: boolean;
}

/** Live keyboard and pointer state, read once per input step by the game scene. */
export class Controls {
  private readonly held = new Set<string>();
  private pointerHeld = false;
  /** A press shorter than one input step still fires once: it is latched until read. */
  private fireLatched = false;
  private touch: TouchSource | null = null;

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (isTyping(event.target)) return;
    if (SWALLOW.has(event.code)) event.preventDefault();
    this.held.add(event.code);
    if (FIRE.has(event.code)) this.fireLatched = true;
  };
  private readonly onKeyUp = (event: KeyboardEvent): void => {
    this.held.delete(event.code);
  };
  /** Keys released while the window is unfocused never send keyup; forget them. */
  private readonly onBlur = (): void => this.releaseAll();

  constructor(private readonly target: Window = window) {
    target.addEventListener('keydown', this.onKeyDown);
    target.addEventListener('keyup', this.onKeyUp);
    target.addEventListener('blur', this.onBlur);
  }

  /** The primary pointer button went down or up over the game. */
  setPointer(down: boolean): void {
    if (down) this.fireLatched = true;
    this.pointerHeld = down;
  }

  /** Also read the virtual sticks; `dispose` disposes them. */
  attachTouch(source: TouchSource): void {
    this.touch = source;
  }

  /** The aim the touch aim stick holds now (radians), or null when it gives none and the mouse aims. */
  get touchAimRad(): number | null {
    return this.touch?.command().aimRad ?? null;
  }

  /** Drop every held key, the trigger and the sticks (focus moved to chat, window blurred). */
  releaseAll(): void {
    this.held.clear();
    this.pointerHeld = false;
    this.fireLatched = false;
    this.touch?.release();
  }

  /** Read the current command; consumes a latched short trigger press. */
  read(): MoveAndFire {
    const typing = isTyping();
    if (typing) this.held.clear();
    const has = (keys: Set<string>): boolean => {
      for (const k of keys) if (this.held.has(k)) return true;
      return false;
    };
    const keyX = ((has(RIGHT) ? 1 : 0) - (has(LEFT) ? 1 : 0)) as -1 | 0 | 1;
    const keyY = ((has(DOWN) ? 1 : 0) - (has(UP) ? 1 : 0)) as -1 | 0 | 1;
    const stick = typing ? null : this.touch?.command();
    // Keys win over the stick when both move: the frame carries one direction.
    const keysMove = keyX !== 0 || keyY !== 0;
    const moveX = keysMove ? keyX : (stick?.moveX ?? 0);
    const moveY = keysMove ? keyY : (stick?.moveY ?? 0);
    const fire = !typing && (this.pointerHeld || has(FIRE) || this.fireLatched || stick?.fire === true);
    this.fireLatched = false;
    return { moveX, moveY, fire };
  }

  dispose(): void {
    this.target.removeEventListener('keydown', this.onKeyDown);
    this.target.removeEventListener('keyup', this.onKeyUp);
    this.target.removeEventListener('blur', this.onBlur);
  }
}
