/**
 * `npm run dev`: the game server under `tsx watch` (restarts when server/ or
 * shared/ change) and the Vite dev server (serves client/, reloads the page
 * when it changes, and forwards matchmaking and room sockets to the game
 * server; see vite.config.ts), side by side with prefixed output. Ctrl-C
 * stops both; if either exits, the other is stopped too.
 *
 * Env: PORT (game server, default 2567), VITE_PORT (dev page, default 5173).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const port = process.env.PORT ?? '2567';
const bin = (name: string): string => path.join('node_modules', '.bin', name);
const children: ChildProcess[] = [];
let stopping = false;

function run(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${label}] ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stdout.write(`[${label}] exited (${signal ?? code}); stopping the rest\n`);
    stop(code ?? 1);
  });
  children.push(child);
  return child;
}

function stop(exitCode = 0): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(exitCode), 1500).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('server', bin('tsx'), ['watch', '--clear-screen=false', 'server/index.ts'], { PORT: port });
run('client', bin('vite'), ['--clearScreen', 'false'], { GAME_SERVER_URL: `http://localhost:${port}` });
