/**
 * Validation of everything a client sends: join options, chat payloads and
 * input frames. Each parser must turn hostile or malformed data into a clean
 * refusal (or, for inputs, a harmless frame), never into a crash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHAT_MAX_LENGTH, NAME_MAX_LENGTH } from '../../shared/constants.ts';
import { sanitizeInput, type InputFrame } from '../../shared/input.ts';
import { parseChat, parseHit, parseInputPace, parseJoinOptions, type Parsed } from '../../shared/messages.ts';

function okValue<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) assert.fail(`expected ok, got error: ${parsed.error}`);
  return parsed.value;
}

function errorOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) assert.fail(`expected an error, got ${JSON.stringify(parsed.value)}`);
  assert.equal(typeof parsed.error, 'string');
  assert.ok(parsed.error.length > 0);
  return parsed.error;
}

describe('parseJoinOptions', () => {
  it('accepts a valid name', () => {
    assert.deepEqual(okValue(parseJoinOptions({ name: 'Alice' })), { name: 'Alice' });
    assert.deepEqual(okValue(parseJoinOptions({ name: 'x_y-z.9 ok' })), { name: 'x_y-z.9 ok' });
    assert.deepEqual(okValue(parseJoinOptions({ name: 'A' })), { name: 'A' });
  });

  it('accepts letters and digits of any script', () => {
    for (const name of ['Zoë', 'Łukasz', 'Дмитрий', '李小龍', 'محمد', 'Ωmega', '١٢٣']) {
      assert.deepEqual(okValue(parseJoinOptions({ name })), { name });
    }
  });

  it('trims the name and folds inner whitespace', () => {
    assert.deepEqual(okValue(parseJoinOptions({ name: '  Bob  ' })), { name: 'Bob' });
    assert.deepEqual(okValue(parseJoinOptions({ name: 'Bob   the  Builder' })), { name: 'Bob the Builder' });
    assert.deepEqual(okValue(parseJoinOptions({ name: '\tBob\n' })), { name: 'Bob' });
  });

  it('counts length in characters, up to NAME_MAX_LENGTH', () => {
    const longest = 'a'.repeat(NAME_MAX_LENGTH);
    assert.deepEqual(okValue(parseJoinOptions({ name: longest })), { name: longest });
    assert.match(errorOf(parseJoinOptions({ name: `${longest}a` })), /1 to 16 characters/);
    const cjk = '龍'.repeat(NAME_MAX_LENGTH);
    assert.deepEqual(okValue(parseJoinOptions({ name: cjk })), { name: cjk }, 'multi-byte letters count once each');
    assert.deepEqual(
      okValue(parseJoinOptions({ name: `   ${longest}   ` })),
      { name: longest },
      'surrounding spaces do not count',
    );
    assert.match(errorOf(parseJoinOptions({ name: 'x'.repeat(100_000) })), /1 to 16 characters/);
  });

  it('refuses an empty or blank name', () => {
    assert.match(errorOf(parseJoinOptions({ name: '' })), /1 to 16 characters/);
    assert.match(errorOf(parseJoinOptions({ name: '    ' })), /1 to 16 characters/);
    assert.match(errorOf(parseJoinOptions({ name: '\n\t ' })), /1 to 16 characters/);
  });

  it('refuses markup, emoji, control and invisible characters', () => {
    const bad = [
      '<script>',
      '<b>bob</b>',
      'bob"',
      "o'neil",
      'a&b',
      'bob😀',
      '😀',
      'bob\u0000',
      'bo\u0007b',
      'bob\u007f',
      'bob\u202e',
      'bo\u200bb',
      'bob\u2066x',
      // Stacked combining marks (a lone accent composes into its letter under NFKC, which is a fine name).
      'zalgo\u0301\u0302\u0303',
      'a/b',
      'a\\b',
      '{name}',
    ];
    for (const name of bad) {
      assert.match(errorOf(parseJoinOptions({ name })), /only letters, digits/, JSON.stringify(name));
    }
  });

  it('refuses a name that is not a string', () => {
    for (const name of [42, null, undefined, true, ['bob'], { first: 'bob' }]) {
      assert.match(errorOf(parseJoinOptions({ name })), /must be a string/, JSON.stringify(name));
    }
    assert.match(errorOf(parseJoinOptions({})), /must be a string/);
    assert.match(errorOf(parseJoinOptions([])), /must be a string/);
  });

  it('refuses options that are not an object', () => {
    for (const options of [null, undefined, 'bob', 42, true]) {
      assert.match(errorOf(parseJoinOptions(options)), /must be an object/, String(options));
    }
  });
});

describe('parseChat', () => {
  it('accepts plain text', () => {
    assert.deepEqual(okValue(parseChat({ text: 'gg wp' })), { text: 'gg wp' });
    assert.deepEqual(
      okValue(parseChat({ text: 'héllo 世界 😀 <b>' })),
      { text: 'héllo 世界 😀 <b>' },
      'markup is text; the client escapes it',
    );
  });

  it('strips control characters and bidi overrides, folds whitespace, trims', () => {
    assert.deepEqual(okValue(parseChat({ text: 'a\u0000b\u0007c\u001bd\u007fe\u0085f' })), { text: 'abcdef' });
    assert.deepEqual(okValue(parseChat({ text: 'evil\u202egnp.exe' })), { text: 'evilgnp.exe' });
    assert.deepEqual(okValue(parseChat({ text: 'one\u2028two\u2029three' })), { text: 'onetwothree' });
    assert.deepEqual(
      okValue(parseChat({ text: 'line1\nline2\r\n' })),
      { text: 'line1line2' },
      'newlines are control characters',
    );
    assert.deepEqual(okValue(parseChat({ text: '   lots    of   space  ' })), { text: 'lots of space' });
    assert.deepEqual(okValue(parseChat({ text: '\u2066hi\u2069' })), { text: 'hi' });
  });

  it('caps the length at CHAT_MAX_LENGTH characters', () => {
    const longest = 'x'.repeat(CHAT_MAX_LENGTH);
    assert.deepEqual(okValue(parseChat({ text: longest })), { text: longest });
    assert.match(errorOf(parseChat({ text: `${longest}x` })), /longer than 140/);
    const emoji = '😀'.repeat(CHAT_MAX_LENGTH);
    assert.deepEqual(okValue(parseChat({ text: emoji })), { text: emoji }, 'an emoji is one character, not two');
    assert.deepEqual(
      okValue(parseChat({ text: `${longest}\u0000\u0000` })),
      { text: longest },
      'stripped characters do not count',
    );
    assert.match(errorOf(parseChat({ text: 'x'.repeat(1_000_000) })), /longer than 140/);
  });

  it('refuses empty text, including text that is empty once cleaned', () => {
    assert.match(errorOf(parseChat({ text: '' })), /empty/);
    assert.match(errorOf(parseChat({ text: '     ' })), /empty/);
    assert.match(errorOf(parseChat({ text: '\u0000\u0001\u202e\n' })), /empty/);
  });

  it('refuses wrong types', () => {
    for (const payload of [null, undefined, 'hello', 42, true]) {
      assert.match(errorOf(parseChat(payload)), /must be an object/, String(payload));
    }
    for (const text of [42, null, undefined, ['hi'], { t: 'hi' }, true]) {
      assert.match(errorOf(parseChat({ text })), /must be a string/, JSON.stringify(text));
    }
    assert.match(errorOf(parseChat({})), /must be a string/);
  });
});

describe('sanitizeInput', () => {
  const frame = (moveX: unknown, moveY: unknown, aimRad: unknown, fire: unknown): InputFrame =>
    ({ moveX, moveY, aimRad, fire }) as InputFrame;

  it('leaves a legal frame as it is', () => {
    const f = frame(1, -1, 1.25, true);
    sanitizeInput(f);
    assert.deepEqual(f, { moveX: 1, moveY: -1, aimRad: 1.25, fire: true });
    const still = frame(0, 0, 0, false);
    sanitizeInput(still);
    assert.deepEqual(still, { moveX: 0, moveY: 0, aimRad: 0, fire: false });
  });

  it('clamps axes to -1, 0 or 1 and zeroes non-finite ones', () => {
    const big = frame(127, -128, 0, false);
    sanitizeInput(big);
    assert.deepEqual([big.moveX, big.moveY], [1, -1]);
    const nan = frame(Number.NaN, Number.POSITIVE_INFINITY, 0, false);
    sanitizeInput(nan);
    assert.deepEqual([nan.moveX, nan.moveY], [0, 0]);
    const huge = frame(1e300, -1e-300, 0, false);
    sanitizeInput(huge);
    assert.deepEqual([huge.moveX, huge.moveY], [1, -1]);
  });

  it('zeroes a non-finite aim and keeps a finite one', () => {
    for (const aimRad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const f = frame(0, 0, aimRad, false);
      sanitizeInput(f);
      assert.equal(f.aimRad, 0, String(aimRad));
    }
    const f = frame(0, 0, -2.5, false);
    sanitizeInput(f);
    assert.equal(f.aimRad, -2.5);
  });

  it('turns a non-boolean trigger into false', () => {
    for (const fire of [1, 'yes', null, undefined, {}]) {
      const f = frame(0, 0, 0, fire);
      sanitizeInput(f);
      assert.equal(f.fire, false, JSON.stringify(fire));
    }
  });
});

describe('parseInputPace', () => {
  it('accepts a rate within the legal range', () => {
    for (const rateScale of [0.95, 0.97, 1, 1.03, 1.05])
      assert.deepEqual(okValue(parseInputPace({ rateScale })), { rateScale });
  });

  it('refuses anything else, so a client never obeys a bad rate', () => {
    for (const payload of [
      null,
      1,
      'fast',
      {},
      { rateScale: '1' },
      { rateScale: Number.NaN },
      { rateScale: Infinity },
      { rateScale: 0.5 },
      { rateScale: 1.2 },
      { rateScale: -1 },
    ]) {
      errorOf(parseInputPace(payload));
    }
  });
});

describe('parseHit', () => {
  it('accepts a hit and refuses malformed ones', () => {
    assert.deepEqual(okValue(parseHit({ projectileId: '1a', victimId: 'abc', victimHp: 50 })), {
      projectileId: '1a',
      victimId: 'abc',
      victimHp: 50,
    });
    for (const payload of [
      null,
      {},
      { projectileId: '', victimId: 'a', victimHp: 1 },
      { projectileId: 'x'.repeat(40), victimId: 'a', victimHp: 1 },
      { projectileId: '1', victimId: 7, victimHp: 1 },
      { projectileId: '1', victimId: 'a', victimHp: Number.NaN },
    ]) {
      errorOf(parseHit(payload));
    }
  });
});
