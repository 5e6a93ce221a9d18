/** Invite codes: enough entropy, no look-alike symbols, forgiving but strict parsing. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  INVITE_ALPHABET,
  INVITE_CODE_BITS,
  INVITE_CODE_LENGTH,
  inviteCodeFromHash,
  inviteLink,
  makeInviteCode,
  parseInviteCode,
} from '../../shared/invite.ts';

describe('invite codes', () => {
  it('carry at least 60 bits in 32 symbols without I, L, O or U', () => {
    assert.equal(new Set(INVITE_ALPHABET).size, 32);
    assert.ok(INVITE_CODE_BITS >= 60, `${INVITE_CODE_BITS} bits`);
    for (const lookAlike of 'ILOU') assert.ok(!INVITE_ALPHABET.includes(lookAlike), lookAlike);
  });

  it('use every symbol about evenly and never repeat over many draws', () => {
    const counts = new Map<string, number>();
    const codes = new Set<string>();
    const draws = 4000;
    for (let i = 0; i < draws; i += 1) {
      const code = makeInviteCode((n) => randomBytes(n));
      assert.match(code, new RegExp(`^[${INVITE_ALPHABET}]{${INVITE_CODE_LENGTH}}$`, 'u'));
      codes.add(code);
      for (const c of code) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    assert.equal(codes.size, draws);
    const expected = (draws * INVITE_CODE_LENGTH) / 32;
    for (const symbol of INVITE_ALPHABET) {
      const n = counts.get(symbol) ?? 0;
      // 52 000 symbols: each expected 1 625 times, sd ~40; 20 % is over 8 sd.
      assert.ok(Math.abs(n - expected) < expected * 0.2, `${symbol} drawn ${n} times, expected ~${expected}`);
    }
  });

  it('map each byte to a symbol by its low five bits (deterministic given the bytes)', () => {
    const bytes = Uint8Array.from({ length: INVITE_CODE_LENGTH }, (_, i) => i * 33);
    assert.equal(
      makeInviteCode(() => bytes),
      [...bytes].map((b) => INVITE_ALPHABET[b & 31]).join(''),
    );
    assert.throws(() => makeInviteCode(() => new Uint8Array(3)), /13 random bytes/u);
  });

  it('parse what people type: any case, dashes and spaces, O/I/L folded', () => {
    assert.deepEqual(parseInviteCode('abcd-efgh-jkm np'), { ok: true, value: 'ABCDEFGHJKMNP' });
    assert.deepEqual(parseInviteCode('OIL0123456789'), { ok: true, value: '0110123456789' });
  });

  it('refuse what no code is', () => {
    for (const bad of [
      undefined,
      42,
      '',
      'ABC',
      'ABCDEFGHJKMNPQ',
      'ABCDEFGHJKMNU',
      'ABCDEFGHJKM!P',
      'A'.repeat(100),
      '../../etc/passwd',
    ]) {
      const parsed = parseInviteCode(bad);
      assert.equal(parsed.ok, false, String(bad));
    }
  });

  it('round-trips through an invite link', () => {
    const link = inviteLink('https://arena.example', 'ABCDEFGHJKMNP');
    assert.equal(link, 'https://arena.example/#/r/ABCDEFGHJKMNP');
    assert.equal(inviteCodeFromHash(new URL(link).hash), 'ABCDEFGHJKMNP');
    assert.equal(inviteCodeFromHash('#/somewhere'), undefined);
    assert.equal(inviteCodeFromHash(''), undefined);
  });
});
