/**
 * `npm run cluster`: a three-instance cluster on this machine, as App Engine
 * would run it: its own Redis, three game server processes, and nginx in
 * front as the load balancer (round robin, no affinity). Ctrl-C stops it all.
 *
 * Env: CLUSTER_PORT (nginx, default 8080), CLUSTER_SIZE (default 3),
 * FORWARD_MODE (default direct).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nginxConf } from '../harness/nginxConf.ts';

const lbPort = Number(process.env.CLUSTER_PORT ?? 8080);
const size = Number(process.env.CLUSTER_SIZE ?? 3);
const forwardMode = process.env.FORWARD_MODE ?? 'direct';
const redisPort = lbPort + 1000;
const firstInstancePort = lbPort + 1;
const children: ChildProcess[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'arena-cluster-'));

function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`${name} exited (${signal ?? code})\n`);
  });
  children.push(child);
  return child;
}

async function waitReady(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

let stopping = false;
function stop(): void {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 1500).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

start('redis', 'redis-server', [
  '--port',
  String(redisPort),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
  '--loglevel',
  'warning',
]);
await new Promise((r) => setTimeout(r, 300));

const upstreamPorts: number[] = [];
for (let i = 0; i < size; i++) {
  const port = firstInstancePort + i;
  upstreamPorts.push(port);
  start(`instance ${i + 1}`, process.execPath, ['--enable-source-maps', 'dist/server/index.mjs'], {
    PORT: String(port),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    ADVERTISE_ADDRESS: `127.0.0.1:${port}`,
    FORWARD_MODE: forwardMode,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
}
for (let i = 0; i < size; i++) await waitReady(`http://127.0.0.1:${firstInstancePort + i}/readyz`);

const conf = path.join(dir, 'nginx.conf');
writeFileSync(conf, nginxConf({ dir, port: lbPort, upstreamPorts, workerConnections: 4096 }));
start('nginx', process.env.NGINX ?? '/usr/sbin/nginx', ['-c', conf, '-p', dir]);
await waitReady(`http://127.0.0.1:${lbPort}/readyz`);
process.stdout.write(
  `\n${size} instances behind nginx (forward mode: ${forwardMode}). Play at http://localhost:${lbPort}  (Ctrl-C stops)\n`,
);
process.stdout.write(
  `The whole cluster: http://localhost:${lbPort}/metrics/cluster${process.env.ADMIN_TOKEN ? `; Colyseus monitor: http://localhost:${lbPort}/monitor/ (password: ADMIN_TOKEN)` : ' (set ADMIN_TOKEN for the Colyseus monitor at /monitor/)'}\n`,
);
