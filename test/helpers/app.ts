/**
 * Boots the real app (the same composition root as `npm start`) for tests,
 * through @colyseus/testing, on a free port with short, test-friendly rules.
 */
import { ColyseusTestServer } from '@colyseus/testing';
import { buildApp, type App } from '../../server/app.ts';
import { loadConfig, type ServerConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { freePort } from '../../harness/net.ts';

export interface TestApp {
  app: App;
  colyseus: ColyseusTestServer;
  config: ServerConfig;
  port: number;
  /** Base HTTP URL, e.g. `http://localhost:40123`. */
  url: string;
}

/** Build and boot the app; `env` overrides the defaults (as the environment would). */
export async function bootTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const port = await freePort();
  const config = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CLIENT_DIST: 'dist/client',
    PORT: String(port),
    ...env,
  });
  const app = await buildApp(config, createLogger(config.logLevel, { service: 'arena-test' }));
  // Listen ourselves: @colyseus/testing's `boot(server, port)` ignores `port` for a
  // ready-made Server and always listens on 2568, which would make `url` wrong.
  await app.listen(port);
  const colyseus = new ColyseusTestServer(app.server);
  app.setReady(true);
  return { app, colyseus, config, port, url: `http://localhost:${port}` };
}
