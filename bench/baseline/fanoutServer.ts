/**
 * Baseline for the CPU comparison: a bare `ws` fan-out with no game and no
 * encoding. Each tick it sends every client a frame of `FRAME_BYTES` bytes
 * (the Colyseus server's measured mean patch size) and reads and drops the
 * clients' inputs: the floor any WebSocket game server at that traffic pays.
 *
 * `PORT` (default 0), `FRAME_BYTES` (default 64).
 */
import type { WebSocket } from 'ws';
import { TICK_RATE_HZ } from '../../shared/constants.ts';
import { fixedRate, portFromEnv, startBaseline } from './common.ts';

const frameBytes = Number(process.env.FRAME_BYTES ?? '64');
const frame = Buffer.alloc(frameBytes, 7);
frame[0] = 15; // looks like a state patch to a counting client
const clients = new Set<WebSocket>();
let received = 0;

const { wss } = await startBaseline(portFromEnv());
wss.on('connection', (ws: WebSocket) => {
  clients.add(ws);
  ws.on('message', (data: Buffer) => {
    received += data.length;
  });
  ws.on('close', () => clients.delete(ws));
});
fixedRate(TICK_RATE_HZ, () => {
  for (const ws of clients) ws.send(frame);
});
process.stdout.write(
  `fan-out baseline (${frameBytes} B frames) listening on ${(wss.options.server!.address() as { port: number }).port}, received ${received}\n`,
);
