/** Process entry: read the config, build the app, listen. */
import { ConfigError, loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import { RedisUnreachableError } from './cluster/redis.ts';
import { drainInstance } from './drain.ts';
import { ColyseusInternalsError } from './colyseusInternals.ts';

/** What Colyseus's own shutdown (closing what is left, leaving Redis) may take after the drain, in milliseconds. */
const SHUTDOWN_AFTER_DRAIN_MS = 1500;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, { service: 'arena' }, { format: config.logFormat });
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config, logger);
  } catch (error) {
    if (error instanceof RedisUnreachableError || error instanceof ColyseusInternalsError) {
      process.stderr.write(`startup error: ${error.message}\n`);
      process.exit(3);
    }
    throw error;
  }
  app.server.onBeforeShutdown(async () => {
    // Whatever a room or Redis does, the process is gone before a platform's SIGKILL.
    setTimeout(() => {
      logger.error('shutdown overran its deadline; exiting now', { deadlineMs: hardDeadlineMs });
      process.exit(1);
    }, hardDeadlineMs).unref();
    logger.info('shutting down: draining');
    await drainInstance(app, logger, config.drainTimeoutMs);
  });
  const hardDeadlineMs = config.drainTimeoutMs + SHUTDOWN_AFTER_DRAIN_MS;
  await app.listen(config.port);
  app.setReady(true);
  logger.info('listening', { port: config.port, url: `http://localhost:${config.port}` });
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
