/**
 * Colours of the world, in one place so the map, players, projectiles and the
 * DOM overlays (style.css mirrors these) stay one visual language.
 */

export const COLORS = {
  background: 0x070b16,
  floor: 0x111a2e,
  grid: 0x18233d,
  gridMajor: 0x1f2c4c,
  border: 0x3a4d7a,
  wall: 0x26324f,
  wallTop: 0x33426a,
  wallEdge: 0x5b6fa8,
  wallShadow: 0x03060d,
  local: 0x2ee6c5,
  hpBack: 0x0b0f1a,
  hpHigh: 0x51e08a,
  hpMid: 0xffc247,
  hpLow: 0xff5a5f,
  text: 0xe8eeff,
} as const;

/** Other players' colours; the local player's teal is deliberately not among them. */
const OTHERS = [0xff6b6b, 0xffa94d, 0xffd43b, 0xa9e34b, 0x74c0fc, 0xb197fc, 0xf783ac, 0xff8787] as const;

/** A stable colour for a session: the same player keeps the same colour on every screen. */
export function playerColor(sessionId: string, isLocal: boolean): number {
  if (isLocal) return COLORS.local;
  let h = 2166136261;
  for (let i = 0; i < sessionId.length; i++) {
    h ^= sessionId.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return OTHERS[(h >>> 0) % OTHERS.length]!;
}

/** `#rrggbb` for a colour number, for CSS. */
export function cssColor(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`;
}

/** Health bar colour for a fraction of full health. */
export function hpColor(fraction: number): number {
  if (fraction > 0.55) return COLORS.hpHigh;
  if (fraction > 0.3) return COLORS.hpMid;
  return COLORS.hpLow;
}
