/**
 * Load for the baseline servers (bench/baseline/): raw WebSocket clients with
 * the same pacing as the bots (one input per tick, spread over the period)
 * that count what comes down. Movers random-walk, aim around and fire now and
 * then, so the JSON baseline's state changes like the real game's.
 *
 *   node --import tsx bench/loadgen.ts --url ws://127.0.0.1:PORT --clients N
 *     --duration S --ramp S --mode json|fanout [--movers F] [--input-bytes N] --out FILE
 *
 * Writes a JSON summary (per-client rates over the window after the ramp,
 * update-interval percentiles, the server's CPU and heap from its /metrics, and
 * this process's own CPU).
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { TICK_RATE_HZ } from '../shared/constants.ts';
import { DIRECTIONS } from '../bots/brain.ts';
import { Pacer } from '../bots/pacer.ts';
import { behaviourOf } from '../bots/fleet.ts';
import { serverWindow, ServerScraper } from '../bots/scrape.ts';
import { LogHistogram, reportSummary, roundForReport } from '../bots/stats.ts';
import { seededRandom } from '../shared/random.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    clients: { type: 'string' },
    duration: { type: 'string' },
    ramp: { type: 'string' },
    mode: { type: 'string' },
    movers: { type: 'string' },
    'input-bytes': { type: 'string' },
    out: { type: 'string' },
  },
});
const url = values.url!;
const clients = Number(values.clients);
const durationS = Number(values.duration ?? '20');
const rampS = Number(values.ramp ?? '5');
const mode = values.mode === 'fanout' ? 'fanout' : 'json';
const movers = Number(values.movers ?? '1');
const inputBytes = Number(values['input-bytes'] ?? '4');
const httpBase = url.replace(/^ws/u, 'http');

let bytesIn = 0;
let frames = 0;
let connected = 0;
let errors = 0;
const intervals = new LogHistogram();
const pacer = new Pacer(1000 / TICK_RATE_HZ);
const sockets: WebSocket[] = [];
const random = seededRandom(1);

function connect(i: number): void {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  sockets.push(ws);
  const playing = behaviourOf(i, movers) === 'play';
  let last = -1;
  let dir = Math.floor(random() * 8);
  let aim = 0;
  let ticks = 0;
  const binaryInput = new Uint8Array(inputBytes).fill(1);
  ws.onopen = () => {
    connected += 1;
    pacer.add(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ticks += 1;
      if (mode === 'fanout') return ws.send(binaryInput);
      if (!playing) return ws.send('{"moveX":0,"moveY":0,"aimRad":0,"fire":false}');
      if (ticks % 45 === 0) dir = Math.floor(random() * 8);
      aim = (aim + 0.05) % (Math.PI * 2);
      const [moveX, moveY] = DIRECTIONS[dir]!;
      ws.send(JSON.stringify({ moveX, moveY, aimRad: aim, fire: ticks % 20 === 0 }));
    });
  };
  ws.onmessage = (event: MessageEvent) => {
    const data = event.data as ArrayBuffer;
    bytesIn += data.byteLength;
    frames += 1;
    const now = performance.now();
    if (last >= 0) intervals.record(now - last);
    last = now;
  };
  ws.onerror = () => {
    errors += 1;
  };
  ws.onclose = () => {
    connected -= 1;
  };
}

// Generous timeout and a few tries: the window's CPU needs both ends, and a busy machine is slow to answer.
const scraper = new ServerScraper([`${httpBase}/metrics`], undefined, 10_000);
async function scrapeHard(): Promise<Awaited<ReturnType<ServerScraper['scrape']>>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const point = await scraper.scrape(performance.now());
    if (point) return point;
  }
  return undefined;
}
const t0 = performance.now();
pacer.start();
let started = 0;
const spawn = setInterval(() => {
  const want = Math.min(clients, Math.ceil(((performance.now() - t0) / 1000 / Math.max(rampS, 0.001)) * clients));
  while (started < want) connect(started++);
}, 50);
await new Promise((r) => setTimeout(r, rampS * 1000 + 1000));
clearInterval(spawn);
intervals.reset();
const from = {
  bytesIn,
  frames,
  at: performance.now(),
  cpu: process.cpuUsage(),
  point: await scrapeHard(),
};
await new Promise((r) => setTimeout(r, Math.max(1, durationS - rampS - 1) * 1000));
const end = {
  bytesIn,
  frames,
  at: performance.now(),
  cpu: process.cpuUsage(from.cpu),
  point: await scrapeHard(),
};
pacer.stop();
const seconds = (end.at - from.at) / 1000;
const clientSeconds = connected * seconds;
const server = from.point && end.point ? serverWindow(from.point, end.point) : null;
const result = {
  mode,
  clients,
  connected,
  errors,
  movers,
  windowS: roundForReport(seconds),
  bytesInPerClientPerS: roundForReport((end.bytesIn - from.bytesIn) / clientSeconds),
  updatesPerClientPerS: roundForReport((end.frames - from.frames) / clientSeconds),
  meanFrameBytes: roundForReport((end.bytesIn - from.bytesIn) / Math.max(1, end.frames - from.frames)),
  updateIntervalMs: reportSummary(intervals.summary()),
  server: server ? { cpuPercent: server.cpuPercent, heapUsedBytes: server.heapUsedBytes } : null,
  /** This process's own CPU (user + system) over the window, % of one core: the load must not be the limit. */
  loadCpuPercent: roundForReport(((end.cpu.user + end.cpu.system) / 1e3 / (end.at - from.at)) * 100),
};
for (const ws of sockets) ws.close();
await writeFile(values.out!, `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
