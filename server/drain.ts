/**
 * Draining an instance: what happens between SIGTERM and exit. App Engine
 * flex restarts instances weekly and on scale-down; Cloud Run sends SIGKILL
 * 10 s after SIGTERM. Stock Colyseus would close every room with a code the
 * SDK does not reconnect on, and wait on them with no time limit. Instead:
 * stop being ready, stop taking new rooms, hand every arena room to another
 * live instance (players move with score, health and position), and close
 * with a kept final result only what no instance can take, all within a
 * deadline.
 */
import type { App } from './app.ts';
import type { Logger } from './logger.ts';
import { HandoffUnavailableError } from './rooms/handoff.ts';

/** Shown to players whose room could not move anywhere. */
export const NO_HANDOFF_MESSAGE =
  'This server is shutting down and no other server can continue your match. The final scores are saved.';

export interface DrainReport {
  rooms: number;
  handedOff: number;
  closed: number;
  /** Rooms still busy when the deadline passed; Colyseus's shutdown closes them. */
  unfinished: number;
  tookMs: number;
}

/**
 * Hand off or close every arena room, at most `timeoutMs`. Never throws: a
 * room that fails to move is closed with its result kept, and whatever is
 * still running at the deadline is left to Colyseus's own shutdown.
 */
export async function drainInstance(app: App, log: Logger, timeoutMs: number): Promise<DrainReport> {
  const started = Date.now();
  app.setReady(false);
  await withTimeout(app.cluster?.setDraining(true), 1000).catch((error: unknown) =>
    log.warn('could not mark this instance draining', { error }),
  );
  const rooms = [...app.arenaRooms];
  log.info('draining: moving rooms to other instances', { rooms: rooms.length, timeoutMs });
  const report: DrainReport = { rooms: rooms.length, handedOff: 0, closed: 0, unfinished: rooms.length, tookMs: 0 };
  const work = rooms.map(async (room) => {
    try {
      if (!app.cluster) throw new HandoffUnavailableError('single instance');
      await room.handOff();
      report.handedOff += 1;
    } catch (error) {
      if (!(error instanceof HandoffUnavailableError))
        log.error('room hand-off failed', { roomId: room.roomId, error });
      await room
        .closeWithFinalResult(NO_HANDOFF_MESSAGE)
        .catch((e: unknown) => log.error('could not close room', { roomId: room.roomId, error: e }));
      report.closed += 1;
    } finally {
      report.unfinished -= 1;
    }
  });
  await withTimeout(Promise.all(work), timeoutMs).catch(() =>
    log.error('drain deadline passed with rooms still moving', { unfinished: report.unfinished }),
  );
  report.tookMs = Date.now() - started;
  log.info('drain finished', { ...report });
  return report;
}

function withTimeout<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!promise) return Promise.resolve(undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
