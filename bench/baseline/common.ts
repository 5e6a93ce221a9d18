/**
 * What the two baseline servers share: an HTTP server with `/healthz` and a
 * minimal `/metrics` (process CPU and heap, the same names prom-client uses,
 * so the bench scrapes every server alike), a plain `ws` server on it, and a
 * fixed-rate loop that keeps time with an accumulator as Colyseus does.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';

export interface BaselineServer {
  http: http.Server;
  wss: WebSocketServer;
}

/** Process CPU (user + system) and heap in Prometheus text, under the names prom-client uses. */
export function processMetricsText(): string {
  const cpu = process.cpuUsage();
  return [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
    '# TYPE nodejs_heap_size_used_bytes gauge',
    `nodejs_heap_size_used_bytes ${process.memoryUsage().heapUsed}`,
    '',
  ].join('\n');
}

/** Listen on `port` (0: any); resolves once listening. */
export async function startBaseline(port: number): Promise<BaselineServer> {
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"alive"}');
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(processMetricsText());
    } else {
      res.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ server, maxPayload: 16 * 1024, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return { http: server, wss };
}

/** Call `step` `rateHz` times a second on average (catching up at most 5 steps at once). */
export function fixedRate(rateHz: number, step: () => void): NodeJS.Timeout {
  const stepMs = 1000 / rateHz;
  let last = performance.now();
  let acc = 0;
  return setInterval(() => {
    const now = performance.now();
    acc += now - last;
    last = now;
    let ran = 0;
    while (acc >= stepMs && ran < 5) {
      acc -= stepMs;
      step();
      ran++;
    }
    if (ran === 5) acc = 0;
  }, stepMs);
}

/** The port from `PORT`, default 0. */
export function portFromEnv(): number {
  const port = Number(process.env.PORT ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be 0-65535, got ${process.env.PORT}`);
  return port;
}
