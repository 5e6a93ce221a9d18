/** The operator endpoints' bearer check: exact token only, header absent or malformed refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerMatches } from '../../server/auth.ts';

describe('bearerMatches', () => {
  it('accepts exactly "Bearer <token>"', () => {
    assert.equal(bearerMatches('Bearer s3cret', 's3cret'), true);
  });
  it('refuses a missing header, another token, another scheme and a prefix of the token', () => {
    assert.equal(bearerMatches(undefined, 's3cret'), false);
    assert.equal(bearerMatches('Bearer s3cre', 's3cret'), false);
    assert.equal(bearerMatches('Bearer s3cret ', 's3cret'), false);
    assert.equal(bearerMatches('Basic s3cret', 's3cret'), false);
    assert.equal(bearerMatches('s3cret', 's3cret'), false);
  });
});
