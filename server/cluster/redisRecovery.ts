/**
 * Coming back from a Redis outage. Rooms never depend on Redis to tick, so
 * they run on while it is away; what is lost is the shared view: a Redis
 * restarted without persistence (or failed over) comes back empty, with no
 * room listings, no matchmaking stats and no instance registry. When our
 * connection is back, this instance puts its part back: its heartbeat first
 * (so no peer takes it for dead on seeing its stats), then its rooms'
 * listings and its stats, then it tells every lobby to list its rooms again.
 */
import { matchMaker, type Presence } from '@colyseus/core';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export interface RecoverySteps {
  /** Write this instance's heartbeat now. */
  beat(): Promise<void>;
  /** Room ids this instance hosts and wants listed. */
  localRoomIds(): string[];
}

/**
 * Watch `redis` (any long-lived connection of this instance) and restore this
 * instance's share of the cluster state each time it reconnects.
 */
export function restoreAfterRedisOutages(redis: Redis, presence: Presence, steps: RecoverySteps, log: Logger): void {
  let lostAt: number | undefined;
  redis.on('close', () => {
    if (lostAt !== undefined) return;
    lostAt = Date.now();
    log.warn('lost the Redis connection; rooms keep running, matchmaking waits for Redis');
  });
  redis.on('ready', () => {
    if (lostAt === undefined) return;
    const outageMs = Date.now() - lostAt;
    lostAt = undefined;
    void restore(presence, steps)
      .then((rooms) => log.info('Redis is back; cluster state restored', { outageMs, rooms }))
      .catch((error: unknown) => log.error('could not restore cluster state after a Redis outage', { error }));
  });
}

async function restore(presence: Presence, steps: RecoverySteps): Promise<number> {
  await steps.beat();
  await matchMaker.restoreMissingRoomCaches();
  await matchMaker.stats.persist(true);
  const roomIds = steps.localRoomIds();
  // `<roomId>,0` is the LobbyRoom's own "listing changed" message: lobbies re-read the room.
  for (const roomId of roomIds) await presence.publish('$lobby', `${roomId},0`);
  return roomIds.length;
}
