/**
 * The process entry refuses bad configuration and an unreachable Redis with
 * a message naming the variable, instead of starting half-working.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { freePort } from '../../harness/net.ts';

function start(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    // A cap, not a wait: tsx compiles the server first, over 30 s at load average 34.
    timeout: 120_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('server start-up', () => {
  it('stops with exit 2 and names the variable on a bad env value', () => {
    const { status, stderr } = start({ MAX_PLAYERS: 'lots' });
    assert.equal(status, 2);
    assert.match(stderr, /MAX_PLAYERS must be a whole number from 2 to 64, got "lots"/u);
  });

  it('stops with exit 3 and names the URL when Redis is unreachable', async () => {
    const closedPort = await freePort();
    const { status, stderr } = start({
      PORT: String(await freePort()),
      REDIS_URL: `redis://user:secret@127.0.0.1:${closedPort}/0`,
    });
    assert.equal(status, 3);
    assert.match(
      stderr,
      new RegExp(`cannot reach Redis at redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${closedPort}/0 \\(REDIS_URL\\)`, 'u'),
    );
    assert.doesNotMatch(stderr, /secret/u);
  });
});
