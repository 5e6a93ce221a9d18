/** The HTTP surface: health and readiness probes, unknown routes, and matchmaking requests that must fail cleanly. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matchMaker } from '@colyseus/core';
import { bootTestApp, type TestApp } from '../helpers/app.ts';

describe('HTTP endpoints', () => {
  let t: TestApp;

  before(async () => {
    t = await bootTestApp();
  });

  after(async () => {
    await t.colyseus.shutdown();
  });

  const matchmake = (body: string, contentType = 'application/json') =>
    fetch(`${t.url}/matchmake/joinOrCreate/arena`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('GET /healthz answers 200', async () => {
    const res = await fetch(`${t.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'alive' });
  });

  it('GET /readyz answers 200 when ready and 503 when not', async () => {
    const ready = await fetch(`${t.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });

    t.app.setReady(false);
    try {
      const draining = await fetch(`${t.url}/readyz`);
      assert.equal(draining.status, 503);
      assert.deepEqual(await draining.json(), { status: 'not ready' });
      const alive = await fetch(`${t.url}/healthz`);
      assert.equal(alive.status, 200, 'liveness does not depend on readiness');
    } finally {
      t.app.setReady(true);
    }
    assert.equal((await fetch(`${t.url}/readyz`)).status, 200);
  });

  it('answers 404 on an unknown route', async () => {
    for (const path of ['/no-such-page', '/api/v1/players', '/healthz/extra']) {
      const res = await fetch(`${t.url}${path}`);
      assert.equal(res.status, 404, path);
      await res.arrayBuffer();
    }
    const post = await fetch(`${t.url}/healthz`, { method: 'POST' });
    assert.equal(post.status, 404);
    await post.arrayBuffer();
  });

  it('answers a malformed matchmaking request with 400 and a message, never a 5xx', async () => {
    const cases: Array<{ body: string; contentType?: string; status?: number; message: RegExp }> = [
      { body: '{not json', message: /malformed/ },
      { body: '{"name":', message: /malformed/ },
      { body: '{"name":""}', message: /1 to 16 characters/ },
      { body: '{"name":"<script>alert(1)</script>"}', message: /1 to 16 characters|only letters/ },
      { body: '{"name":"<b>"}', message: /only letters, digits/ },
      { body: '{"name":"bob😀"}', message: /only letters, digits/ },
      { body: '{"name":42}', message: /must be a string/ },
      { body: '{}', message: /must be a string/ },
      { body: '[]', message: /must be a string/ },
      { body: 'null', message: /must be an object/ },
      { body: '"bob"', message: /must be an object/ },
      { body: '{"name":"bob"}', contentType: 'text/plain', status: 415, message: /Content-Type: application\/json/ },
    ];
    for (const { body, contentType, status, message } of cases) {
      const res = await matchmake(body, contentType);
      const text = await res.text();
      assert.equal(res.status, status ?? 400, `${body} → ${res.status} ${text}`);
      const parsed = JSON.parse(text) as { error?: unknown };
      assert.equal(typeof parsed.error, 'string', `${body} → ${text}`);
      assert.match(String(parsed.error), message, body);
    }
    assert.equal((await matchMaker.query({ name: 'arena' })).length, 0, 'no room was created by a bad request');
  });

  it('answers an oversized matchmaking body with a 4xx', async () => {
    const res = await matchmake(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    await res.arrayBuffer();
    assert.ok(res.status >= 400 && res.status < 500, `got ${res.status}`);
  });
});
