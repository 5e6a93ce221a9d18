/**
 * A worker thread of a multi-worker run (see workers.ts): runs its part of
 * the bots, streams its once-a-second samples to the coordinator, and hands
 * over its report at the end. `stop` from the coordinator ends it early.
 */
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { RunOptions } from './options.ts';
import { runBots } from './runner.ts';
import type { WorkerMessage } from './workers.ts';

const port = parentPort;
if (!port) throw new Error('bots/worker.ts runs only as a worker thread');
const { options } = workerData as { options: RunOptions };
const stop = new AbortController();
port.on('message', (message: unknown) => {
  if (message === 'stop') stop.abort();
});
const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
const post = (message: WorkerMessage): void => port.postMessage(message);
runBots(options, {
  out: silent,
  signal: stop.signal,
  noSummary: true,
  onSample: (point) => post({ type: 'sample', point }),
}).then(
  ({ report }) => post({ type: 'done', report }),
  (error: unknown) =>
    post({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
