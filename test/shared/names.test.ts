/** Names: NFKC normalisation, look-alike folding, and numbered names for look-alikes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NAME_MAX_LENGTH } from '../../shared/constants.ts';
import { parseJoinOptions } from '../../shared/messages.ts';
import { nameKey, normalizeName, uniqueName } from '../../shared/names.ts';

describe('names', () => {
  it('normalises to NFKC with whitespace folded', () => {
    assert.equal(normalizeName('  Ｂｏｂ  '), 'Bob');
    assert.equal(normalizeName('𝐁𝐨𝐛'), 'Bob');
    assert.equal(normalizeName('ﬁona'), 'fiona');
    assert.equal(normalizeName('A \t  B'), 'A B');
    // Join options are stored normalised: the fullwidth name is the plain one.
    assert.deepEqual(parseJoinOptions({ name: 'Ｂｏｂ' }), { ok: true, value: { name: 'Bob' } });
  });

  it('gives look-alike names one key', () => {
    const bob = nameKey('Bob');
    for (const alike of [
      'bob',
      'BOB',
      'Ｂｏｂ',
      '𝐁𝐨𝐛',
      '\u0412\u043eb' /* Cyrillic В, о */,
      '\u0392ob' /* Greek Β */,
      'B0b',
      'Bób',
      ' Bob ',
    ]) {
      assert.equal(nameKey(alike), bob, alike);
    }
    assert.equal(nameKey('Paul_'), nameKey('paul'));
    assert.equal(nameKey('I1l'), nameKey('lll'));
    assert.equal(nameKey('Anna-Lena'), nameKey('anna lena'));
    for (const other of ['Rob', 'Bobby', 'Alice', 'Бob' /* Cyrillic Б is no B */])
      assert.notEqual(nameKey(other), bob, other);
  });

  it('numbers a name whose look-alike is taken, within the length limit', () => {
    const taken = new Set([nameKey('Bob')]);
    assert.equal(
      uniqueName('Alice', (k) => taken.has(k)),
      'Alice',
    );
    assert.equal(
      uniqueName('Ｂｏｂ', (k) => taken.has(k)),
      'Ｂｏｂ 2',
    );
    taken.add(nameKey('Bob 2'));
    assert.equal(
      uniqueName('Bob', (k) => taken.has(k)),
      'Bob 3',
    );
    const long = 'Abcdefghijklmnop';
    assert.equal([...long].length, NAME_MAX_LENGTH);
    const numbered = uniqueName(long, (k) => k === nameKey(long));
    assert.equal(numbered, 'Abcdefghijklmn 2');
    assert.ok([...numbered].length <= NAME_MAX_LENGTH);
  });
});
