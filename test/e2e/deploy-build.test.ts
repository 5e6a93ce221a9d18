/**
 * Runs the Dockerfile's own steps on a clean copy of the project, as the
 * image build would (no Docker engine here): the build stage installs
 * everything and builds; the runtime stage gets production dependencies only
 * plus the built output; then the server starts from that copy and a real
 * client joins and plays. A runtime dependency left in devDependencies, or a
 * build output the runtime forgot, fails here instead of after a deploy.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@colyseus/sdk';
import { PlayerInput } from '../../shared/input.ts';
import type { ArenaState } from '../../shared/state.ts';
import { parseDockerfile, parseEnv, type Stage } from '../helpers/dockerfile.ts';
import { freePort, waitFor } from '../../harness/net.ts';

const repo = process.cwd();
/** The image's `node` is Node 22; so is the one the dev dependency puts in node_modules. */
const node22Bin = path.join(repo, 'node_modules', 'node', 'bin');

interface StageResult {
  dir: string;
  env: Record<string, string>;
  cmd: string[] | undefined;
}

function runStage(stage: Stage, root: string, built: Map<string, string>): StageResult {
  const dir = path.join(root, stage.name, 'app');
  const env: Record<string, string> = {};
  let cmd: string[] | undefined;
  for (const { op, args } of stage.instructions) {
    if (op === 'WORKDIR') {
      assert.equal(args, '/app', 'this runner maps only WORKDIR /app');
      continue;
    }
    if (op === 'COPY') {
      const from = /^--from=(\S+)\s+/u.exec(args);
      const parts = (from ? args.slice(from[0].length) : args).split(/\s+/u);
      const dest = parts.pop()!;
      const base = from ? built.get(from[1]!)! : repo;
      for (const src of parts) {
        const srcPath = from ? path.join(base, path.relative('/app', src)) : path.join(base, src);
        const target =
          dest.endsWith('/') || parts.length > 1 || dest === './'
            ? path.join(dir, path.basename(srcPath))
            : path.join(dir, dest);
        cpSync(srcPath, target, { recursive: true, filter: (p) => !p.includes(`${path.sep}node_modules`) });
      }
      continue;
    }
    if (op === 'RUN') {
      const result = spawnSync('bash', ['-c', args], {
        cwd: dir,
        env: { ...process.env, ...env, PATH: `${node22Bin}:${process.env.PATH}` },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(result.status, 0, `RUN ${args} failed:\n${result.stdout}\n${result.stderr}`);
      continue;
    }
    if (op === 'ENV') Object.assign(env, parseEnv(args));
    if (op === 'CMD') cmd = JSON.parse(args) as string[];
  }
  built.set(stage.name, dir);
  return { dir, env, cmd };
}

describe('Dockerfile build and runtime steps on a clean copy', () => {
  let root: string;
  let server: ChildProcess | undefined;
  let url = '';
  let runtime: StageResult;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'arena-image-'));
    const stages = parseDockerfile('Dockerfile');
    const built = new Map<string, string>();
    let last: StageResult | undefined;
    for (const stage of stages) last = runStage(stage, root, built);
    runtime = last!;
    assert.ok(runtime.cmd, 'the runtime stage has a CMD');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const [bin, ...args] = runtime.cmd!;
    server = spawn(bin === 'node' ? path.join(node22Bin, 'node') : bin!, args, {
      cwd: runtime.dir,
      env: { PATH: process.env.PATH ?? '', ...runtime.env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitFor(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
      'the server built from the image steps to be ready',
      30_000,
      200,
    );
  });

  after(() => {
    server?.kill('SIGKILL');
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('has no dev dependencies in the runtime copy', () => {
    // (typescript itself stays: @colyseus/schema depends on it for its code generator.)
    for (const dev of ['vite', 'tsx', 'esbuild', 'phaser', 'playwright-core', '@colyseus/testing', '@colyseus/sdk']) {
      assert.ok(!existsSync(path.join(runtime.dir, 'node_modules', dev)), `${dev} must not be in the runtime image`);
    }
    assert.ok(existsSync(path.join(runtime.dir, 'node_modules', '@colyseus', 'core')));
  });

  it('serves health, readiness and the game page', async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script[^>]+src=/u);
  });

  it('lets a client join and play', async () => {
    const room = await new Client(url).joinOrCreate<ArenaState>('arena', { name: 'Deployer' });
    try {
      await waitFor(() => room.state?.players?.get(room.sessionId) !== undefined, 'own player in state');
      const me = room.state.players.get(room.sessionId)!;
      const startX = me.x;
      const input = room.input({ type: PlayerInput });
      const direction = startX < 800 ? 1 : -1;
      for (let i = 0; i < 10; i++) {
        input.data.moveX = direction;
        input.send();
        await new Promise((r) => setTimeout(r, 35));
      }
      await waitFor(() => input.lastProcessed >= 10, 'all inputs acknowledged');
      await waitFor(() => Math.abs((me.x as number) - startX) > 30, 'the player to move');
    } finally {
      await room.leave();
    }
  });
});
