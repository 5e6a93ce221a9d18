/**
 * Player names as people read them. A name is stored NFKC-normalised (so
 * fullwidth `Ｂｏｂ` or mathematical `𝐁𝐨𝐛` is plain `Bob`), and two names that
 * look alike (`Bob` and `Воb` with a Cyrillic В and о, `paul` and `PAUL`,
 * `B0b` and `Bob`) share a {@link nameKey}: within one room's scoreboard or
 * lobby a name whose key is taken gets a number ({@link uniqueName}), so
 * nobody can pass for another player.
 */
import { NAME_MAX_LENGTH } from './constants.ts';

/** NFKC, whitespace runs folded to one space, trimmed. */
export function normalizeName(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/gu, ' ');
}

/**
 * Letters of other scripts (and digits) that render like a Latin letter, by
 * the Latin lower-case letter they pass for (a subset of Unicode's
 * confusables list: Cyrillic, Greek and digit look-alikes of a–z).
 */
const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic capitals, then small letters
  А: 'a',
  В: 'b',
  Е: 'e',
  Ё: 'e',
  З: '3',
  К: 'k',
  М: 'm',
  Н: 'h',
  О: 'o',
  Р: 'p',
  С: 'c',
  Т: 't',
  У: 'y',
  Х: 'x',
  Ѕ: 's',
  І: 'l',
  Ї: 'l',
  Ј: 'j',
  Ӏ: 'l',
  Ү: 'y',
  Һ: 'h',
  Ԁ: 'd',
  Ԛ: 'q',
  Ԝ: 'w',
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ӏ: 'l',
  ү: 'y',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ь: 'b',
  // Greek capitals, then small letters
  Α: 'a',
  Β: 'b',
  Ε: 'e',
  Ζ: 'z',
  Η: 'h',
  Ι: 'l',
  Κ: 'k',
  Μ: 'm',
  Ν: 'n',
  Ο: 'o',
  Ρ: 'p',
  Τ: 't',
  Υ: 'y',
  Χ: 'x',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ϲ: 'c',
  ϳ: 'j',
  // Latin letters and digits that pass for one another
  I: 'l',
  ı: 'i',
  ɡ: 'g',
  ɑ: 'a',
  '0': 'o',
  '1': 'l',
  '5': 's',
};

/**
 * The key under which look-alike names collide: NFKC, confusable letters
 * mapped to the Latin letter they pass for, lower case, accents dropped,
 * separators (`space _ - .`) folded to one space.
 */
export function nameKey(name: string): string {
  let mapped = '';
  for (const ch of normalizeName(name)) mapped += CONFUSABLES[ch] ?? ch;
  return mapped
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[\s_.-]+/gu, ' ')
    .trim();
}

/**
 * `name`, or, when `taken(nameKey(name))`, the first of `name 2`, `name 3`, …
 * (the name cut to fit {@link NAME_MAX_LENGTH}) whose key is free.
 */
export function uniqueName(name: string, taken: (key: string) => boolean): string {
  if (!taken(nameKey(name))) return name;
  for (let n = 2; ; n++) {
    const suffix = ` ${n}`;
    const base = [...name]
      .slice(0, NAME_MAX_LENGTH - suffix.length)
      .join('')
      .trimEnd();
    const candidate = `${base}${suffix}`;
    if (!taken(nameKey(candidate))) return candidate;
  }
}
