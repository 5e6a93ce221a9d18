/**
 * Over 300 lines on purpose: the drain scenarios share one three-instance
 * cluster; a file per scenario would start it again each time.
 *
 * Draining with room hand-off, on real processes: three instances behind
 * nginx with their own Redis; SIGTERM the instance hosting the most rooms in
 * the middle of a round. Its players must continue on the other instances
 * with the same session id, position, health and score, without an error,
 * and the instance must exit 0 well inside Cloud Run's 10 s.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import { followHandoffs } from '../../netcode/handoff.ts';
import { ServerMessage, type HandoffEvent } from '../../shared/messages.ts';
import type { ArenaState } from '../../shared/state.ts';
import { roomCaches } from '../../harness/cluster.ts';
import { sleep, waitFor } from '../../harness/net.ts';
import { useCluster } from '../helpers/clusterFixture.ts';
import { statePatches } from '../helpers/roomEvents.ts';

interface Input {
  moveX: number;
  moveY: number;
  aimRad: number;
  fire: boolean;
}

const ADMIN_TOKEN = 'test-admin-token';

/** A test player: its current room (replaced when the server moves it) and what went wrong. */
class Player {
  room: Room<unknown, ArenaState>;
  moves = 0;
  readonly problems: string[] = [];

  constructor(
    readonly client: Client,
    room: Room<unknown, ArenaState>,
  ) {
    this.room = room;
    this.watch(room);
  }

  private watch(room: Room<unknown, ArenaState>): void {
    // Sockets of players on other instances may run through the drained one
    // (no affinity) and are cut when it exits: like a player who has been in
    // for a while, reconnect even though these joined seconds ago (the SDK waits 5 s).
    room.reconnection.minUptime = 0;
    room.onLeave((code, reason) => {
      if (room === this.room) this.problems.push(`left ${room.roomId} (${code} ${reason ?? ''})`);
    });
    room.onError((code, message) => this.problems.push(`error in ${room.roomId}: ${code} ${message ?? ''}`));
    followHandoffs(this.client, room, {
      onMoved: (next) => {
        this.moves += 1;
        this.room = next;
        this.watch(next);
      },
      onFailed: (error) => this.problems.push(`hand-off failed: ${String(error)}`),
    });
  }

  /** The server's view of this player, as this client decoded it. */
  view(): { x: number; y: number; hp: number; score: number; kills: number; deaths: number; name: string } {
    const p = this.room.state.players.get(this.room.sessionId);
    assert.ok(p, `player ${this.room.sessionId} is in its own room's state`);
    return { x: p.x, y: p.y, hp: p.hp, score: p.score, kills: p.kills, deaths: p.deaths, name: p.name };
  }
}

describe('draining an instance hands its rooms to the others (SIGTERM)', () => {
  const players: Player[] = [];
  const cluster = useCluster({
    names: ['A', 'B', 'C'],
    // Small rooms, so the players spread over several rooms and instances.
    env: { MAX_PLAYERS: '3', ROUND_DURATION_MS: '600000', ADMIN_TOKEN },
    beforeStop: async () => {
      for (const p of players) {
        p.room.reconnection.enabled = false;
        await Promise.race([p.room.leave(true).catch(() => undefined), sleep(1000)]);
      }
    },
  });

  it('moves a room on demand (admin hand-off), keeping its players and their state', async () => {
    for (let i = 0; i < 12; i++) {
      const client = new Client(cluster.nginx.url);
      players.push(new Player(client, await client.joinOrCreate<ArenaState>('arena', { name: `P${i}` })));
    }
    await waitFor(() => players.every((p) => p.room.state.players?.has(p.room.sessionId)), 'every player sees itself');
    const room = players[0]!.room;
    const mates = players.filter((p) => p.room.roomId === room.roomId);
    const before = new Map(mates.map((p) => [p, { sessionId: p.room.sessionId, ...p.view() }]));
    const owners = await roomCaches(cluster.redis.client);
    const from = owners.get(room.roomId)!.processId;

    const refused = await fetch(`${cluster.nginx.url}/admin/rooms/${room.roomId}/handoff`, { method: 'POST' });
    assert.equal(refused.status, 401, 'no token, no hand-off');
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const unknown = await fetch(`${cluster.nginx.url}/admin/rooms/nosuchroom/handoff`, {
      method: 'POST',
      headers: auth,
    });
    assert.equal(unknown.status, 404);
    const res = await fetch(`${cluster.nginx.url}/admin/rooms/${room.roomId}/handoff`, {
      method: 'POST',
      headers: auth,
    });
    const body = (await res.json()) as { toRoomId: string; toProcessId: string; seats: number; moved: number };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.notEqual(body.toProcessId, from, 'the room went to another instance');
    assert.equal(body.seats, mates.length);

    await waitFor(
      () =>
        mates.every(
          (p) =>
            p.room.roomId === body.toRoomId &&
            p.room.connection.isOpen &&
            p.room.state?.players?.has(p.room.sessionId) === true,
        ),
      "the room's players are in the new room and have its state",
      5000,
    );
    for (const p of mates)
      assert.deepEqual({ sessionId: p.room.sessionId, ...p.view() }, before.get(p), 'state kept across the move');
    assert.deepEqual(
      [...mates[0]!.room.state.players.keys()].sort(),
      mates.map((p) => p.room.sessionId).sort(),
      'no ghosts',
    );
    for (const p of players)
      assert.deepEqual(p.problems, [], `player ${p.room.sessionId} saw no error: ${p.problems.join('; ')}`);
  });

  it('binds each hand-off seat to its player: a room-mate who knows the session id and the new room cannot take it', async () => {
    // Two players in a room of their own, following hand-offs by hand so the victim can be slow.
    const thiefClient = new Client(cluster.nginx.url);
    const victimClient = new Client(cluster.nginx.url);
    const thief = await thiefClient.create<ArenaState>('arena', { name: 'Mallory' });
    const victim = await victimClient.joinById<ArenaState>(thief.roomId, { name: 'Victim' });
    const rooms: Room<unknown, ArenaState>[] = [thief, victim];
    try {
      const events = new Map<Room<unknown, ArenaState>, HandoffEvent>();
      for (const r of [thief, victim]) {
        r.reconnection.enabled = false;
        r.onMessage(ServerMessage.Handoff, (event: HandoffEvent) => events.set(r, event));
      }
      await waitFor(
        () => thief.state.players?.has(victim.sessionId) && victim.state.players?.has(victim.sessionId),
        'both players see the victim',
      );
      const victimName = victim.state.players.get(victim.sessionId)!.name;

      const res = await fetch(`${cluster.nginx.url}/admin/rooms/${thief.roomId}/handoff`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.equal(res.status, 200, await res.clone().text());
      await waitFor(() => events.size === 2, 'both players got their hand-off seat');
      const mine = events.get(thief)!.reservation;
      const theirs = events.get(victim)!.reservation;
      assert.equal(mine.roomId, theirs.roomId, 'both seats are in the same continuation room');
      assert.ok(
        typeof theirs.reconnectionToken === 'string' && theirs.reconnectionToken.length >= 32,
        'the seat carries a secret',
      );
      assert.notEqual(mine.reconnectionToken, theirs.reconnectionToken, 'each seat has its own secret');

      // The thief knows the victim's session id (it keys the state) and the new room (its own message).
      const stolen = [
        { ...mine, sessionId: victim.sessionId, reconnectionToken: undefined },
        { ...mine, sessionId: victim.sessionId },
        { ...mine, sessionId: victim.sessionId, reconnectionToken: 'x'.repeat(32) },
      ];
      for (const seat of stolen) {
        await assert.rejects(
          thiefClient.consumeSeatReservation(seat as never),
          'a seat claimed without its secret is refused',
        );
      }

      // The victim, late, still gets its own seat, with its own player.
      const moved = await victimClient.consumeSeatReservation<ArenaState>(theirs as never);
      rooms.push(moved);
      assert.equal(moved.sessionId, victim.sessionId);
      await waitFor(
        () => moved.state.players?.has(victim.sessionId),
        'the victim sees itself in the continuation room',
      );
      assert.equal(moved.state.players.get(victim.sessionId)!.name, victimName, 'the victim is still itself');
      // A used secret is spent: the seat cannot be taken a second time.
      await assert.rejects(thiefClient.consumeSeatReservation(theirs as never), 'a spent seat secret opens nothing');
      // And the thief's own seat is still the thief's.
      const thiefMoved = await thiefClient.consumeSeatReservation<ArenaState>(mine as never);
      rooms.push(thiefMoved);
      await waitFor(() => thiefMoved.state.players?.size === 2, 'both players are in the continuation room');
      assert.equal(
        thiefMoved.state.players.get(victim.sessionId)!.name,
        victimName,
        "the victim's player was never the thief's",
      );
      assert.equal(thiefMoved.state.players.get(thief.sessionId)!.name, 'Mallory');
    } finally {
      for (const r of rooms) await Promise.race([r.leave(true).catch(() => undefined), sleep(1000)]);
    }
  });

  it('runs one hand-off per room at a time: a parallel storm moves it once, the rest answer 409 with where it went', async () => {
    const a = await new Client(cluster.nginx.url).create<ArenaState>('arena', { name: 'Storm A' });
    const bClient = new Client(cluster.nginx.url);
    const b = await bClient.joinById<ArenaState>(a.roomId, { name: 'Storm B' });
    const rooms: Room<unknown, ArenaState>[] = [a, b];
    try {
      const seats: HandoffEvent[] = [];
      for (const r of [a, b]) {
        r.reconnection.enabled = false;
        r.onMessage(ServerMessage.Handoff, (event: HandoffEvent) => seats.push(event));
      }
      await waitFor(() => a.state.players?.size === 2 && b.state.players?.size === 2, 'both players in the room');
      const roomsBefore = new Set((await roomCaches(cluster.redis.client)).keys());
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
      // Through the balancer, so the requests reach different instances: the lock is the owner's.
      const answers = await Promise.all(
        Array.from({ length: 5 }, async () => {
          const res = await fetch(`${cluster.nginx.url}/admin/rooms/${a.roomId}/handoff`, {
            method: 'POST',
            headers: auth,
          });
          return {
            status: res.status,
            body: (await res.json()) as { toRoomId?: string; toProcessId?: string; error?: string },
          };
        }),
      );
      const done = answers.filter((x) => x.status === 200);
      const refused = answers.filter((x) => x.status !== 200);
      assert.equal(done.length, 1, JSON.stringify(answers));
      const target = done[0]!.body;
      for (const r of refused) {
        assert.equal(r.status, 409, JSON.stringify(r));
        assert.match(String(r.body.error), /already under way/u);
        assert.equal(r.body.toRoomId, target.toRoomId, 'a refused hand-off says where the room went');
        assert.equal(r.body.toProcessId, target.toProcessId);
      }
      assert.equal(seats.length, 2, 'each player got exactly one seat');
      await waitFor(async () => !(await roomCaches(cluster.redis.client)).has(a.roomId), 'the old room to close');
      const created = [...(await roomCaches(cluster.redis.client)).keys()].filter((id) => !roomsBefore.has(id));
      assert.deepEqual(created, [target.toRoomId], 'exactly one continuation room exists');
    } finally {
      for (const r of rooms) await Promise.race([r.leave(true).catch(() => undefined), sleep(1000)]);
    }
  });

  it('moves every player of the drained instance with session, position, health and score kept', async (t) => {
    // Walk everyone off their spawn point and shoot at whoever is near, so the state to keep is not the default.
    const inputs = new Map(players.map((p) => [p, p.room.input<Input>()]));
    for (const p of players) {
      const input = inputs.get(p)!;
      for (let k = 0; k < 20; k++) {
        input.data.moveX = k % 2 === 0 ? 1 : 0;
        input.data.moveY = 1;
        input.data.aimRad = (k * Math.PI) / 5;
        input.data.fire = true;
        input.send();
      }
    }
    await waitFor(
      () => players.every((p) => inputs.get(p)!.lastProcessed >= 20),
      'the servers processed every input',
      10_000,
    );
    // The step after the last input: every player is at rest where its inputs left it.
    await Promise.all(players.map((p) => statePatches(p.room, 2)));

    const owners = await roomCaches(cluster.redis.client);
    const count = new Map<string, number>();
    for (const p of players) {
      const owner = owners.get(p.room.roomId)!.processId;
      count.set(owner, (count.get(owner) ?? 0) + 1);
    }
    const victim = cluster.instances.reduce((best, i) =>
      (count.get(i.processId) ?? 0) > (count.get(best.processId) ?? 0) ? i : best,
    );
    const doomed = players.filter((p) => owners.get(p.room.roomId)!.processId === victim.processId);
    assert.ok(doomed.length >= 2, `the drained instance hosts players (${doomed.length})`);
    const before = new Map(doomed.map((p) => [p, { sessionId: p.room.sessionId, roomId: p.room.roomId, ...p.view() }]));
    const movesBefore = new Map(doomed.map((p) => [p, p.moves]));
    const moved = new Set(doomed.map((p) => p.room.roomId));

    const started = Date.now();
    victim.child.kill('SIGTERM');
    await waitFor(() => !victim.alive(), 'the drained instance exits', 10_000, 20);
    const drainMs = Date.now() - started;
    assert.equal(victim.child.exitCode, 0, 'the drained instance exits with 0');
    assert.ok(drainMs < 10_000, `drain took ${drainMs} ms`);
    t.diagnostic(`SIGTERM to exit: ${drainMs} ms for ${moved.size} rooms, ${doomed.length} players`);

    await waitFor(
      () =>
        doomed.every(
          (p) =>
            p.moves === movesBefore.get(p)! + 1 &&
            p.room.connection.isOpen &&
            p.room.state?.players?.has(p.room.sessionId) === true,
        ),
      `every player of the drained instance moved (${JSON.stringify(doomed.map((p) => [p.moves, p.problems]))})`,
      5000,
    );
    for (const p of players)
      assert.deepEqual(p.problems, [], `player ${p.room.sessionId} saw no error: ${p.problems.join('; ')}`);
    const after = await roomCaches(cluster.redis.client);
    for (const p of doomed) {
      const was = before.get(p)!;
      assert.equal(p.room.sessionId, was.sessionId, 'same session id after the move');
      assert.notEqual(p.room.roomId, was.roomId, 'a new room');
      assert.notEqual(after.get(p.room.roomId)?.processId, victim.processId, 'hosted by a live instance');
      assert.deepEqual(
        { sessionId: p.room.sessionId, roomId: was.roomId, ...p.view() },
        was,
        'position, health and score kept',
      );
    }
    for (const roomId of moved) assert.equal(after.has(roomId), false, `the drained room ${roomId} left the listing`);

    // No ghosts: each continuation room holds exactly the players that moved into it.
    for (const p of doomed) {
      const mates = doomed
        .filter((q) => before.get(q)!.roomId === before.get(p)!.roomId)
        .map((q) => q.room.sessionId)
        .sort();
      assert.deepEqual([...p.room.state.players.keys()].sort(), mates, 'the continuation room has exactly its players');
    }

    // Play goes on in the new room: inputs move the player.
    const mover = doomed[0]!;
    const { x: x0, y: y0 } = mover.view();
    const input = mover.room.input<Input>();
    for (let k = 0; k < 10; k++) {
      input.data.moveX = k < 5 ? -1 : 1;
      input.data.moveY = -1;
      input.data.fire = false;
      input.send();
    }
    await waitFor(() => mover.view().x !== x0 || mover.view().y !== y0, 'the moved player moves in its new room', 5000);
  });
});
