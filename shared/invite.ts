/**
 * Invite codes for private rooms: 13 symbols of Crockford's base32 (65 bits),
 * drawn from the server's CSPRNG, so a code cannot be guessed and lookups are
 * rate-limited besides. The alphabet has no I, L, O or U; reading a code
 * back folds those look-alikes onto 1 and 0, and ignores case, spaces and
 * dashes, so a code read out or retyped still works.
 */
import type { Parsed } from './messages.ts';

/** The 32 symbols of a code (Crockford's base32). */
export const INVITE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Symbols in a code: 13 × 5 bits = 65 bits of entropy. */
export const INVITE_CODE_LENGTH = 13;
/** Bits of entropy in a code. */
export const INVITE_CODE_BITS = INVITE_CODE_LENGTH * 5;
/** The page route of an invite link: `/#/r/<code>`. */
export const INVITE_ROUTE_PREFIX = '#/r/';

/**
 * A new code from `randomBytes(n)` (n uniformly random bytes: the caller
 * passes its CSPRNG, keeping this module free of randomness). Each byte's
 * low five bits pick a symbol; 256 is a multiple of 32, so there is no bias.
 */
export function makeInviteCode(randomBytes: (count: number) => Uint8Array): string {
  const bytes = randomBytes(INVITE_CODE_LENGTH);
  if (bytes.length < INVITE_CODE_LENGTH) throw new Error(`makeInviteCode needs ${INVITE_CODE_LENGTH} random bytes`);
  let code = '';
  for (let i = 0; i < INVITE_CODE_LENGTH; i += 1) code += INVITE_ALPHABET[bytes[i]! & 31];
  return code;
}

/** Validate and normalise a code someone typed or a link carried: upper case, look-alikes folded, spaces and dashes dropped. */
export function parseInviteCode(raw: unknown): Parsed<string> {
  if (typeof raw !== 'string') return { ok: false, error: 'invite code must be a string' };
  if (raw.length > INVITE_CODE_LENGTH * 3) return { ok: false, error: 'invite code is too long' };
  const code = raw.toUpperCase().replace(/[\s-]/gu, '').replace(/[IL]/gu, '1').replace(/O/gu, '0');
  if (code.length !== INVITE_CODE_LENGTH)
    return { ok: false, error: `invite code must be ${INVITE_CODE_LENGTH} characters` };
  for (const symbol of code)
    if (!INVITE_ALPHABET.includes(symbol))
      return { ok: false, error: 'invite code holds a character that is not in any code' };
  return { ok: true, value: code };
}

/** The invite link of `code` on the page at `origin` (e.g. `https://arena.example`). */
export function inviteLink(origin: string, code: string): string {
  return `${origin}/${INVITE_ROUTE_PREFIX}${code}`;
}

/** The code a page's `location.hash` invites to, if it is an invite route at all (the code is checked by {@link parseInviteCode}). */
export function inviteCodeFromHash(hash: string): string | undefined {
  return hash.startsWith(INVITE_ROUTE_PREFIX) ? decodeURIComponent(hash.slice(INVITE_ROUTE_PREFIX.length)) : undefined;
}
