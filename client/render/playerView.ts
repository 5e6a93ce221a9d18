/**
 * How one player looks: a shadowed disc in the player's colour with a gun
 * barrel pointing where they aim, their name above, and a health bar. The
 * container's position is exactly the position the netcode says to draw, so
 * reading it back (the test hook does) reads what the user sees.
 */
import type Phaser from 'phaser';
import { PLAYER_MAX_HP, PLAYER_RADIUS_PX } from '../../shared/constants.ts';
import { COLORS, cssColor, hpColor } from './palette.ts';

const R = PLAYER_RADIUS_PX;
const HP_BAR_W = 36;
const HP_BAR_H = 5;
const FLASH_MS = 120;
const OUTLINE = { width: 2.5, color: 0x0a0f1c } as const;
/** A hit lights the outline, not the fill, so the player keeps their colour (their identity) while flashing. */
const FLASH_OUTLINE = { width: 3.5, color: 0xffffff } as const;

/** The game objects of one player; positions come from the netcode, never from local rules. */
export class PlayerView {
  readonly container: Phaser.GameObjects.Container;
  private readonly disc: Phaser.GameObjects.Arc;
  private readonly gun: Phaser.GameObjects.Container;
  private readonly label: Phaser.GameObjects.Text;
  private readonly hpBack: Phaser.GameObjects.Rectangle;
  private readonly hpFill: Phaser.GameObjects.Rectangle;
  private hp = PLAYER_MAX_HP;
  private alive = true;
  private flashUntil = 0;
  private flashing = false;

  constructor(
    scene: Phaser.Scene,
    readonly sessionId: string,
    private displayName: string,
    color: number,
    readonly isLocal: boolean,
  ) {
    const shadow = scene.add.circle(0, 5, R, 0x000000, 0.35);
    const ring = isLocal ? scene.add.circle(0, 0, R + 6).setStrokeStyle(2, color, 0.45) : null;
    const barrel = scene.add
      .rectangle(R - 4, 0, 16, 7, 0xdfe6f5)
      .setOrigin(0, 0.5)
      .setStrokeStyle(1.5, 0x0a0f1c, 0.9);
    this.gun = scene.add.container(0, 0, [barrel]);
    this.disc = scene.add.circle(0, 0, R, color).setStrokeStyle(OUTLINE.width, OUTLINE.color, 0.9);
    const shine = scene.add.circle(-4, -5, 5, 0xffffff, 0.28);
    this.label = scene.add
      .text(0, -R - 14, displayName, {
        fontFamily: 'system-ui, "Segoe UI", Roboto, sans-serif',
        fontSize: '13px',
        fontStyle: 'bold',
        color: isLocal ? cssColor(COLORS.local) : cssColor(COLORS.text),
        stroke: '#05080f',
        strokeThickness: 4,
        resolution: Math.min(2, window.devicePixelRatio || 1),
      })
      .setOrigin(0.5, 1);
    this.hpBack = scene.add.rectangle(0, -R - 8, HP_BAR_W + 2, HP_BAR_H + 2, COLORS.hpBack, 0.85);
    this.hpFill = scene.add.rectangle(-HP_BAR_W / 2, -R - 8, HP_BAR_W, HP_BAR_H, COLORS.hpHigh).setOrigin(0, 0.5);

    const parts: Phaser.GameObjects.GameObject[] = [shadow];
    if (ring) parts.push(ring);
    parts.push(this.gun, this.disc, shine, this.hpBack, this.hpFill, this.label);
    this.container = scene.add.container(0, 0, parts).setDepth(isLocal ? 11 : 10);
  }

  /** The name as drawn. */
  get name(): string {
    return this.displayName;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  get health(): number {
    return this.hp;
  }

  setName(name: string): void {
    if (name === this.displayName) return;
    this.displayName = name;
    this.label.setText(name);
  }

  setPosition(x: number, y: number): void {
    this.container.setPosition(x, y);
  }

  setAim(rad: number): void {
    this.gun.setRotation(rad);
  }

  /** Show `hp`; a drop flashes the disc so a hit is felt, not just read. */
  setHp(hp: number, now: number): void {
    if (hp === this.hp) return;
    if (hp < this.hp) this.flashUntil = now + FLASH_MS;
    this.hp = hp;
    const fraction = Math.max(0, Math.min(1, hp / PLAYER_MAX_HP));
    this.hpFill.width = HP_BAR_W * fraction;
    this.hpFill.fillColor = hpColor(fraction);
  }

  setAlive(alive: boolean): void {
    if (alive === this.alive) return;
    this.alive = alive;
    // A dead player stays as a faint marker where they fell until the respawn moves them.
    this.container.setAlpha(alive ? 1 : 0.28);
    this.gun.setVisible(alive);
    this.hpBack.setVisible(alive);
    this.hpFill.setVisible(alive);
  }

  /** Per-frame effects (the hit flash). */
  update(now: number): void {
    const flashing = now < this.flashUntil;
    if (flashing === this.flashing) return;
    this.flashing = flashing;
    const outline = flashing ? FLASH_OUTLINE : OUTLINE;
    this.disc.setStrokeStyle(outline.width, outline.color, flashing ? 1 : 0.9);
  }

  destroy(): void {
    this.container.destroy();
  }
}
