/**
 * The leaderboard across instances, on real processes sharing a real Redis:
 * a match begins on instance A, a player scores a real kill there, an
 * operator hands the room to instance B mid-round, and the round ends on B.
 * The round is on the boards exactly once, under the key of the match as it
 * began (the match id travels with the hand-off), and a fresh instance
 * started after both are gone still answers it: the boards outlive instances.
 *
 * The kill is played, not arranged (these servers are other processes): both
 * players walk into the open lane by the shared map and the shooter fires at
 * the other until it falls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import { followHandoffs } from '../../netcode/handoff.ts';
import { TICK_RATE_HZ } from '../../shared/constants.ts';
import type { PlayerInput } from '../../shared/input.ts';
import { boardScore, IDENTITY_HEADER, type LeaderboardPage, type LeaderboardSaved } from '../../shared/leaderboard.ts';
import type { Point } from '../../shared/map.ts';
import { ServerMessage } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import { boardKey, BOARD_KEY_PREFIX } from '../../server/leaderboard/redisBoard.ts';
import {
  roomCaches,
  startInstance,
  startInstances,
  startRedis,
  stopAll,
  type Instance,
  type RedisServer,
} from '../../harness/cluster.ts';
import { waitFor } from '../../harness/net.ts';
import { newIdentity } from '../helpers/leaderboard.ts';

const ADMIN_TOKEN = 'test-admin-token';
/** Time to walk into the lane, land four shots and hand off, on a machine busy with other work. */
const ROUND_DURATION_MS = 40_000;
/** A horizontal lane with no cover edge to edge (walls end at y 300 and start at y 420). */
const LANE_Y = 360;
const TICK_MS = 1000 / TICK_RATE_HZ;

type ArenaClient = Room<unknown, ArenaState>;

/** A test player that follows its room through hand-offs and can walk and shoot. */
class Player {
  room: ArenaClient;
  readonly saved: LeaderboardSaved[] = [];
  readonly problems: string[] = [];

  constructor(
    private readonly client: Client,
    room: ArenaClient,
  ) {
    this.room = room;
    this.watch(room);
  }

  private watch(room: ArenaClient): void {
    room.onMessage('*', () => undefined);
    room.onMessage(ServerMessage.LeaderboardSaved, (m: LeaderboardSaved) => this.saved.push(m));
    room.onError((code, message) => this.problems.push(`error ${code} ${message ?? ''}`));
    followHandoffs(this.client, room, {
      onMoved: (next) => {
        this.room = next as ArenaClient;
        this.watch(this.room);
      },
      onFailed: (error) => this.problems.push(`hand-off failed: ${String(error)}`),
    });
  }

  get at(): Point & { alive: boolean; kills: number } {
    const p = this.room.state.players.get(this.room.sessionId)!;
    return { x: p.x, y: p.y, alive: p.alive, kills: p.kills };
  }

  /** Send one input per tick from `next` until it answers undefined. */
  async drive(next: () => Partial<PlayerInput> | undefined, what: string, timeoutMs = 25_000): Promise<void> {
    const input = this.room.input<PlayerInput>();
    const until = Date.now() + timeoutMs;
    for (;;) {
      const frame = next();
      if (frame === undefined) break;
      if (Date.now() > until) throw new Error(`timed out: ${what}`);
      Object.assign(input.data, { moveX: 0, moveY: 0, aimRad: 0, fire: false, ...frame });
      input.send();
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    Object.assign(input.data, { moveX: 0, moveY: 0, fire: false });
    input.send();
  }

  /** Walk through `waypoints`, one axis at a time; a waypoint is reached within 20 px or once passed. */
  async walk(waypoints: Point[]): Promise<void> {
    for (const wp of waypoints) {
      for (const axis of ['y', 'x'] as const) {
        const start = Math.sign(wp[axis] - this.at[axis]);
        await this.drive(() => {
          const d = wp[axis] - this.at[axis];
          if (Math.abs(d) <= 20 || Math.sign(d) !== start) return undefined;
          return axis === 'x' ? { moveX: Math.sign(d) } : { moveY: Math.sign(d) };
        }, `walk to ${axis} ${wp[axis]}`);
      }
    }
  }
}

/** From a spawn point into the lane at `x`: around the centre cover when the spawn is below it. */
function route(from: Point, x: number): Point[] {
  const belowCover = from.y > 420 && from.x > 740 && from.x < 860;
  return [
    ...(belowCover ? [{ x: 900, y: from.y }] : []),
    { x: belowCover ? 900 : from.x, y: LANE_Y },
    { x, y: LANE_Y },
  ];
}

describe('leaderboard across a hand-off and restarts', { timeout: 240_000 }, () => {
  let redis: RedisServer;
  let instances: Instance[];
  const players: Player[] = [];
  const shooterIdentity = newIdentity();

  before(async () => {
    redis = await startRedis();
    instances = await startInstances(redis, 'direct', ['A', 'B'], {
      ROUND_DURATION_MS: String(ROUND_DURATION_MS),
      ADMIN_TOKEN,
    });
  });

  after(async () => {
    for (const p of players) {
      p.room.reconnection.enabled = false;
      await p.room.leave(true).catch(() => undefined);
    }
    await stopAll();
  });

  it('records a round that ends on the instance the room was handed to, once, under the match’s first key', async () => {
    const [a] = instances;
    const client = new Client(a!.url);
    const shooter = new Player(
      client,
      await client.create<ArenaState>('arena', { name: 'Sharp', identity: shooterIdentity }),
    );
    players.push(shooter);
    const target = new Player(
      client,
      await client.joinById<ArenaState>(shooter.room.roomId, {
        name: 'Target',
        identity: newIdentity(),
      }),
    );
    players.push(target);
    const firstRoomId = shooter.room.roomId;
    await waitFor(() => shooter.room.state.players?.size === 2, 'both players in the state');
    const owner = (await roomCaches(redis.client)).get(firstRoomId)?.processId;

    await Promise.all([shooter.walk(route(shooter.at, 500)), target.walk(route(target.at, 900))]);
    const targetId = target.room.sessionId;
    await shooter.drive(() => {
      const victim = shooter.room.state.players.get(targetId);
      if (!victim?.alive) return undefined;
      return { aimRad: Math.atan2(victim.y - shooter.at.y, victim.x - shooter.at.x), fire: true };
    }, 'the shooter to kill the target');
    assert.equal(shooter.at.kills, 1);
    assert.ok(shooter.room.state.round.secondsLeft > 3, 'the kill came with the round still running');

    const res = await fetch(`${a!.url}/admin/rooms/${firstRoomId}/handoff`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const moved = (await res.json()) as { toRoomId: string; toProcessId: string };
    assert.equal(res.status, 200, JSON.stringify(moved));
    assert.notEqual(moved.toProcessId, owner, 'the room went to the other instance');
    await waitFor(
      () => players.every((p) => p.room.roomId === moved.toRoomId),
      'both players in the continuation room',
      10_000,
    );

    await waitFor(
      () => shooter.saved.length === 1,
      'the round to end and be recorded on the new instance',
      ROUND_DURATION_MS + 10_000,
      100,
    );
    assert.deepEqual(shooter.saved, [{ round: 1 }]);
    const roundKeys = await redis.client.keys(`${BOARD_KEY_PREFIX}round:*`);
    assert.deepEqual(roundKeys, [`${BOARD_KEY_PREFIX}round:${firstRoomId}:1`], 'one round, under the match’s first id');
    assert.equal(Number(await redis.client.zscore(boardKey('alltime', ''), shooterIdentity)), boardScore(1, 1));
    assert.equal(await redis.client.zcard(boardKey('alltime', '')), 1, 'the target scored nothing and has no entry');
    for (const p of players) assert.deepEqual(p.problems, []);
  });

  it('answers the board from a fresh instance once the ones that wrote it are gone', async () => {
    for (const p of players.splice(0)) {
      p.room.reconnection.enabled = false;
      await p.room.leave(true).catch(() => undefined);
    }
    await Promise.all(instances.map((i) => i.kill('SIGKILL')));
    const fresh = await startInstance({ name: 'C', redis, mode: 'direct' });
    const res = await fetch(`${fresh.url}/leaderboard?board=alltime&limit=5`, {
      headers: { [IDENTITY_HEADER]: shooterIdentity },
    });
    assert.equal(res.status, 200);
    const page = (await res.json()) as LeaderboardPage;
    assert.deepEqual(page.entries, [{ rank: 1, name: 'Sharp', wins: 1, kills: 1, own: true }]);
    const daily = (await (await fetch(`${fresh.url}/leaderboard?board=daily`)).json()) as LeaderboardPage;
    assert.deepEqual(daily.entries, [{ rank: 1, name: 'Sharp', wins: 1, kills: 1 }]);
  });
});
