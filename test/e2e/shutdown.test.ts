/**
 * SIGTERM on a lone instance (no Redis, so no other instance to take the
 * rooms): players are told why with the round's final scoreboard, the result
 * is kept in the log, sockets close with SERVER_SHUTDOWN (which the SDK does
 * not retry), and the process exits 0 well inside 10 s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Client, CloseCode, type Room } from '@colyseus/sdk';
import { ServerMessage, type ServerClosingEvent } from '../../shared/messages.ts';
import { freePort, waitFor } from '../../harness/net.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');

describe('shutting down the only instance', () => {
  const rooms: Room[] = [];
  let kill: (() => void) | undefined;
  after(() => kill?.());

  it('ends the match with a final scoreboard, keeps the result, and exits 0', async (t) => {
    const port = await freePort();
    const child = spawn(NODE, ['--import', 'tsx', 'server/index.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'info', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kill = () => child.kill('SIGKILL');
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
      'the server is ready',
      30_000,
      100,
    );

    const closing: ServerClosingEvent[] = [];
    const leaves: number[] = [];
    for (const name of ['Ann', 'Bob']) {
      const room = await new Client(url).joinOrCreate('arena', { name });
      room.onMessage(ServerMessage.ServerClosing, (event: ServerClosingEvent) => closing.push(event));
      room.onLeave((code) => leaves.push(code));
      rooms.push(room);
    }
    assert.equal(rooms[0]!.roomId, rooms[1]!.roomId);

    const started = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const tookMs = Date.now() - started;
    t.diagnostic(`SIGTERM to exit: ${tookMs} ms`);
    assert.equal(code, 0, `exit code 0; output:\n${output}`);
    assert.ok(tookMs < 10_000, `shutdown took ${tookMs} ms`);

    await waitFor(() => leaves.length === 2, 'both players were closed');
    assert.deepEqual(leaves, [CloseCode.SERVER_SHUTDOWN, CloseCode.SERVER_SHUTDOWN]);
    assert.equal(closing.length, 2, 'each player got the final result');
    assert.deepEqual(closing[0]!.rows.map((r) => r.name).sort(), ['Ann', 'Bob']);
    assert.match(closing[0]!.message, /no other server/u);
    const kept = output.split('\n').find((line) => line.includes('final result kept'));
    assert.ok(kept, `the result is in the log:\n${output}`);
    assert.deepEqual((JSON.parse(kept) as { rows: { name: string }[] }).rows.map((r) => r.name).sort(), ['Ann', 'Bob']);
  });
});
