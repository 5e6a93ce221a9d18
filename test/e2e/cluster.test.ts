/**
 * Over 300 lines on purpose: the scenarios share one three-instance cluster
 * per forward mode; a file per scenario would start it again each time.
 *
 * Three real instances behind a real nginx (round robin, no affinity), a
 * private Redis, real SDK clients — once per forward mode. The tests run in
 * order and build on each other inside a mode: joins and play, then the lobby
 * on every instance, then one instance killed with SIGKILL.
 *
 * `MAX_PLAYERS=4` so twelve players fill three rooms, which open on the
 * instances the joins reach (round robin: all three).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type Room } from '@colyseus/sdk';
import {
  EchoProbe,
  forwardStats,
  registeredInstances,
  roomCaches,
  roomSocketsInLog,
  type ForwardMode,
  type Instance,
  type Nginx,
  type RedisServer,
} from '../../harness/cluster.ts';
import { waitFor } from '../../harness/net.ts';
import { useCluster } from '../helpers/clusterFixture.ts';

const MAX_PLAYERS = 4;
const PLAYERS = 12;
const INPUTS = 15;
const INPUT_INTERVAL_MS = 33;
/** How soon after a SIGKILL the dead instance's rooms must be gone from the listing (a deadline, not a performance target). */
const UNLIST_WITHIN_MS = 12_000;

interface PlayerView {
  name: string;
  x: number;
  y: number;
}
interface ArenaView {
  players: { get(id: string): PlayerView | undefined; keys(): IterableIterator<string>; size: number };
}
interface ChatBroadcast {
  fromId: string;
  name: string;
  text: string;
}
interface Listing {
  roomId: string;
  name: string;
  processId: string;
}

const stateOf = (room: Room): ArenaView => room.state as ArenaView;
/** Session ids in a room's state; none before its first state has arrived (a fresh join's state follows the join acknowledgement). */
const sessionIdsIn = (room: Room): string[] => [...(stateOf(room)?.players?.keys() ?? [])].sort();

/** A lobby client and the listing it has been sent (`rooms`, then `+` and `-`). */
class LobbyClient {
  readonly listing = new Map<string, Listing>();
  readonly removed: string[] = [];
  readonly chats: ChatBroadcast[] = [];

  constructor(
    readonly instance: Instance,
    readonly room: Room,
  ) {
    room.onMessage('rooms', (rooms: Listing[]) => {
      this.listing.clear();
      for (const r of rooms) this.listing.set(r.roomId, r);
    });
    room.onMessage('+', ([roomId, r]: [string, Listing]) => this.listing.set(roomId, r));
    room.onMessage('-', (roomId: string) => {
      this.removed.push(roomId);
      this.listing.delete(roomId);
    });
    room.onMessage('chat', (message: ChatBroadcast) => this.chats.push(message));
  }

  arenaRoomIds(): string[] {
    return [...this.listing.values()]
      .filter((r) => r.name === 'arena')
      .map((r) => r.roomId)
      .sort();
  }
}

async function closeRooms(rooms: Iterable<Room>): Promise<void> {
  await Promise.all(
    [...rooms].map(async (room) => {
      room.reconnection.enabled = false;
      if (!room.connection?.isOpen) return;
      await Promise.race([room.leave(true).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    }),
  );
}

async function arenaRoomsInRedis(redis: RedisServer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [roomId, room] of await roomCaches(redis.client))
    if (room.name === 'arena') out.set(roomId, room.processId);
  return out;
}

/** Join `count` players through nginx, one after another, every join must succeed. */
async function joinPlayers(nginx: Nginx, prefix: string, count: number): Promise<Room[]> {
  const rooms: Room[] = [];
  for (let i = 0; i < count; i++) {
    const room = await new Client(nginx.url).joinOrCreate('arena', { name: `${prefix}${i}` });
    // Reconnect even right after joining (the SDK waits 5 s by default): a
    // player whose connection ran through a killed instance comes back through another.
    room.reconnection.minUptime = 0;
    rooms.push(room);
  }
  return rooms;
}

function byRoom(rooms: Room[]): Map<string, Room[]> {
  const out = new Map<string, Room[]>();
  for (const room of rooms) out.set(room.roomId, [...(out.get(room.roomId) ?? []), room]);
  return out;
}

async function sumForwardStats(instances: Instance[]): Promise<{ opened: number; active: number; failed: number }> {
  const all = await Promise.all(instances.filter((i) => i.alive()).map((i) => forwardStats(i)));
  return all.reduce(
    (s, x) => ({ opened: s.opened + x.opened, active: s.active + x.active, failed: s.failed + x.failed }),
    { opened: 0, active: 0, failed: 0 },
  );
}

for (const mode of ['direct', 'redis'] as const satisfies readonly ForwardMode[]) {
  describe(`three instances behind nginx (${mode} forwarding)`, () => {
    const openRooms = new Set<Room>();
    const cluster = useCluster({
      mode,
      names: ['A', 'B', 'C'],
      env: { MAX_PLAYERS: String(MAX_PLAYERS) },
      beforeStop: () => closeRooms(openRooms),
    });
    /** Players and lobby clients kept from the lobby test for the kill test. */
    let players: Room[] = [];
    let lobbies: LobbyClient[] = [];

    const instanceOf = (processId: string): Instance => {
      const found = cluster.instances.find((i) => i.processId === processId);
      assert.ok(found, `processId ${processId} belongs to one of our instances`);
      return found;
    };

    it('joins players through nginx, forwards their sockets to the room owners, and relays play across instances', async () => {
      const before = await sumForwardStats(cluster.instances);
      const rooms = await joinPlayers(cluster.nginx, 'p', PLAYERS);
      for (const room of rooms) openRooms.add(room);

      const owners = await arenaRoomsInRedis(cluster.redis);
      const groups = byRoom(rooms);
      const ownerIds = [...groups.keys()].map((roomId) => owners.get(roomId));
      for (const id of ownerIds) assert.ok(id !== undefined, 'every room is listed in Redis');
      assert.ok(new Set(ownerIds).size >= 2, 'rooms opened on several instances (where the joins landed)');
      // Locality first: an instance opens a room only when it has none with space, so it never holds two that are not full.
      for (const instance of cluster.instances) {
        const open = [...groups].filter(
          ([roomId, members]) => owners.get(roomId) === instance.processId && members.length < MAX_PLAYERS,
        );
        assert.ok(open.length <= 1, `instance ${instance.name} holds ${open.length} rooms with space`);
      }
      assert.ok(groups.size <= PLAYERS / MAX_PLAYERS + 1, `${groups.size} rooms for ${PLAYERS} players`);

      // Everyone in a room sees everyone in it.
      for (const [roomId, members] of groups) {
        const expected = members.map((r) => r.sessionId).sort();
        await waitFor(
          () => members.every((r) => sessionIdsIn(r).join() === expected.join()),
          `all players of room ${roomId} in everyone's state`,
        );
      }

      // Some sockets landed on an instance that does not own their room and were forwarded.
      const joined = await sumForwardStats(cluster.instances);
      const forwardedNow = joined.opened - before.opened;
      assert.ok(forwardedNow > 0, 'some room connections were forwarded');
      assert.equal(joined.active - before.active, forwardedNow, 'forwarded connections stay open');
      assert.equal(joined.failed, before.failed, 'no forwarding failures');

      // One player per room moves; everyone in the room sees the same new position.
      for (const [roomId, members] of groups) {
        const mover = members[0]!;
        const start = stateOf(mover).players.get(mover.sessionId)!;
        const startX = start.x;
        const direction = startX < 800 ? 1 : -1;
        const input = mover.input<{ moveX: number }>();
        for (let i = 0; i < INPUTS; i++) {
          input.data.moveX = direction;
          input.send();
          await new Promise((r) => setTimeout(r, INPUT_INTERVAL_MS));
        }
        await waitFor(
          () => input.lastProcessed === INPUTS,
          `room ${roomId}: the server acknowledged all ${INPUTS} inputs`,
        );
        await waitFor(() => {
          const xs = members.map((r) => stateOf(r).players.get(mover.sessionId)?.x);
          return xs.every((x) => x !== undefined && x === xs[0] && x !== startX);
        }, `room ${roomId}: every player sees the mover at the same new x`);
        const endX = stateOf(mover).players.get(mover.sessionId)!.x;
        assert.ok(
          (endX - startX) * direction > 0,
          `room ${roomId}: the mover moved the way it pressed (${startX} → ${endX})`,
        );
      }

      // Patches for several players held by one edge crossed once (fan-out), not once per player.
      const fanout = await Promise.all(
        cluster.instances.map(async (i) =>
          Number(
            /^arena_edge_fanout_operations_total (\d+)/mu.exec(await (await fetch(`${i.url}/metrics`)).text())?.[1] ??
              0,
          ),
        ),
      );
      assert.ok(fanout.reduce((a, b) => a + b, 0) > 0, `frames were fanned out at the edge (${fanout.join(', ')})`);

      // Leave; nginx logs each socket when it closes, naming the instance it picked.
      await closeRooms(rooms);
      for (const room of rooms) openRooms.delete(room);
      const sessions = new Set(rooms.map((r) => r.sessionId));
      let sockets = roomSocketsInLog([]);
      await waitFor(() => {
        sockets = roomSocketsInLog(cluster.nginx.accessLog());
        return [...sessions].every((s) => sockets.has(s));
      }, 'nginx to log every room socket');
      let notOwner = 0;
      for (const sessionId of sessions) {
        const socket = sockets.get(sessionId)!;
        if (socket.upstreamPort !== instanceOf(socket.processId).port) notOwner += 1;
      }
      assert.equal(forwardedNow, notOwner, 'exactly the sockets nginx gave to a non-owner were forwarded');
      // The movement check crossed instances: in each shared room some player came in through another instance than the mover.
      for (const members of [...groups.values()].filter((m) => m.length > 1)) {
        const moverPort = sockets.get(members[0]!.sessionId)!.upstreamPort;
        assert.ok(
          members.slice(1).some((r) => sockets.get(r.sessionId)!.upstreamPort !== moverPort),
          'a watching player was connected through another instance than the mover',
        );
      }
      await waitFor(
        async () => (await sumForwardStats(cluster.instances)).active === before.active,
        'forwarded connections closed',
      );
      await waitFor(
        async () => (await arenaRoomsInRedis(cluster.redis)).size === 0,
        'empty rooms disposed and unlisted',
      );
    });

    it('lists the arena rooms of every instance in the lobby on every instance, and relays lobby chat to all', async () => {
      // A few players first, so there is a room before the lobbies open…
      players = await joinPlayers(cluster.nginx, 'q', MAX_PLAYERS);
      for (const room of players) openRooms.add(room);

      lobbies = [];
      for (const instance of cluster.instances) {
        const room = await new Client(instance.url).create('lobby', { name: `lobby-${instance.name}` });
        openRooms.add(room);
        lobbies.push(new LobbyClient(instance, room));
      }
      const caches = await roomCaches(cluster.redis.client);
      for (const lobby of lobbies) {
        assert.equal(
          caches.get(lobby.room.roomId)?.processId,
          lobby.instance.processId,
          `the lobby reached on ${lobby.instance.name} lives there`,
        );
      }

      // …and the rest after, so they arrive as live updates.
      const more = await joinPlayers(cluster.nginx, 'r', PLAYERS - MAX_PLAYERS);
      for (const room of more) openRooms.add(room);
      players.push(...more);

      const arena = await arenaRoomsInRedis(cluster.redis);
      assert.equal(new Set(arena.values()).size, cluster.instances.length, 'arena rooms live on all three instances');
      const expected = [...arena.keys()].sort();
      for (const lobby of lobbies) {
        await waitFor(
          () => lobby.arenaRoomIds().join() === expected.join(),
          `lobby on ${lobby.instance.name} to list all ${expected.length} arena rooms`,
        );
        for (const roomId of expected) assert.equal(lobby.listing.get(roomId)?.processId, arena.get(roomId));
      }

      // Chat from the lobby on A and from the lobby on C reaches the lobby clients on all three.
      for (const sender of [lobbies[0]!, lobbies[2]!]) {
        const text = `hello from ${sender.instance.name} (${mode})`;
        sender.room.send('chat', { text });
        for (const lobby of lobbies) {
          await waitFor(
            () =>
              lobby.chats.some(
                (c) =>
                  c.text === text && c.fromId === sender.room.sessionId && c.name === `lobby-${sender.instance.name}`,
              ),
            `chat from ${sender.instance.name} to reach the lobby on ${lobby.instance.name}`,
          );
        }
      }
      for (const lobby of lobbies)
        assert.equal(lobby.chats.length, 2, `lobby on ${lobby.instance.name} got each chat once`);
    });

    it('keeps matchmaking and unlists the rooms of an instance killed with SIGKILL', async (t) => {
      assert.equal(players.length, PLAYERS, 'the lobby test left its players in place');
      const owners = await arenaRoomsInRedis(cluster.redis);
      // The victim is the owner of the fullest room: it must keep a player after one leaves it (below).
      const count = (roomId: string): number => players.filter((r) => r.roomId === roomId).length;
      const fullest = [...owners.keys()].sort((a, b) => count(b) - count(a))[0]!;
      const victim = instanceOf(owners.get(fullest)!);
      const survivors = cluster.instances.filter((i) => i !== victim);
      const doomedRooms = [...owners]
        .filter(([, pid]) => pid === victim.processId)
        .map(([roomId]) => roomId)
        .sort((a, b) => count(b) - count(a));
      assert.ok(
        doomedRooms.length > 0 && count(doomedRooms[0]!) >= 2,
        `instance ${victim.name} owns an arena room with players`,
      );
      const survivingLobbies = lobbies.filter((l) => l.instance !== victim);
      for (const lobby of survivingLobbies) {
        for (const roomId of doomedRooms)
          assert.ok(lobby.listing.has(roomId), 'the doomed room is listed before the kill');
      }
      // One player leaves a doomed room first, so that room still offers a
      // seat: a join after the kill that picks it must get past the dead
      // owner (Colyseus's IPC call times out, it health-checks, retries).
      const leaver = players.find((r) => r.roomId === doomedRooms[0])!;
      const seated = players.filter((r) => r.roomId === doomedRooms[0]).length;
      await closeRooms([leaver]);
      openRooms.delete(leaver);
      players = players.filter((r) => r !== leaver);
      await waitFor(
        async () => (await roomCaches(cluster.redis.client)).get(doomedRooms[0]!)?.clients === seated - 1,
        'a free seat in the doomed room',
      );
      // Players and the lobby client in rooms that die with the instance have nothing to return to.
      const doomedPlayers = players.filter((r) => doomedRooms.includes(r.roomId));
      const survivingPlayers = players.filter((r) => !doomedRooms.includes(r.roomId));
      for (const room of doomedPlayers) room.reconnection.enabled = false;
      for (const lobby of lobbies) if (lobby.instance === victim) lobby.room.reconnection.enabled = false;
      const dropped = new Set<string>();
      for (const room of survivingPlayers) room.onDrop(() => dropped.add(room.sessionId));
      const logLinesBeforeKill = cluster.nginx.accessLog().length;

      await victim.kill('SIGKILL');

      // New players keep getting in (the first may wait for an IPC call to the dead owner to time out).
      const killedAt = Date.now();
      const late = await joinPlayers(cluster.nginx, 's', MAX_PLAYERS);
      t.diagnostic(`${late.length} joins after the kill took ${Date.now() - killedAt} ms`);
      for (const room of late) openRooms.add(room);
      const lateGroups = byRoom(late);
      for (const [roomId, members] of lateGroups) {
        const expected = members.map((r) => r.sessionId);
        await waitFor(
          () => members.every((r) => expected.every((id) => stateOf(r)?.players?.get(id) !== undefined)),
          `new players of room ${roomId} see each other`,
        );
      }

      // The dead instance's rooms leave the listing within about ten seconds of
      // the kill (heartbeats expire after 4 s): the lobbies get `-`, Redis forgets them.
      const left = (): number => Math.max(500, killedAt + UNLIST_WITHIN_MS - Date.now());
      await waitFor(
        () =>
          survivingLobbies.every((l) =>
            doomedRooms.every((roomId) => l.removed.includes(roomId) && !l.listing.has(roomId)),
          ),
        'lobbies on the surviving instances to drop the dead rooms',
        left(),
        100,
      );
      await waitFor(
        async () =>
          [...(await roomCaches(cluster.redis.client)).values()].every((r) => r.processId !== victim.processId),
        'Redis roomcaches to forget every room of the dead instance',
        left(),
        100,
      );
      await waitFor(
        async () => (await registeredInstances(cluster.redis.client)).every((i) => i.processId !== victim.processId),
        'the registry to forget the dead instance',
        left(),
        100,
      );
      const listed = await arenaRoomsInRedis(cluster.redis);
      for (const [roomId, members] of lateGroups) {
        const owner = listed.get(roomId);
        assert.ok(
          owner !== undefined && survivors.some((i) => i.processId === owner),
          `new room ${roomId} lives on a surviving instance`,
        );
        for (const lobby of survivingLobbies)
          await waitFor(() => lobby.listing.has(roomId), `lobby on ${lobby.instance.name} lists new room ${roomId}`);
        assert.ok(members.every((r) => r.connection.isOpen));
      }

      // Players of the dead rooms are cut off, wherever they came in (through a
      // surviving instance, their forwarded socket or tunnel must close too).
      await waitFor(
        () => doomedPlayers.every((r) => !r.connection.isOpen),
        'players of the dead rooms to be disconnected',
        left(),
        100,
      );

      // Players of surviving rooms whose socket ran through the dead instance come back through another one, and play on.
      await waitFor(
        () => survivingPlayers.every((r) => r.connection.isOpen && !r.reconnection.isReconnecting),
        'players of surviving rooms to be connected',
        15_000,
        100,
      );
      // Exactly those whose socket nginx had given to the dead instance were cut off (nginx logged those sockets as they closed).
      const cutOff = roomSocketsInLog(cluster.nginx.accessLog().slice(logLinesBeforeKill), 'first');
      const throughVictim = survivingPlayers
        .filter((r) => cutOff.get(r.sessionId)?.upstreamPort === victim.port)
        .map((r) => r.sessionId);
      assert.deepEqual(
        [...dropped].sort(),
        throughVictim.sort(),
        'the players cut off are those connected through the dead instance',
      );
      for (const room of survivingPlayers) {
        const probe = new EchoProbe(room);
        await probe.roundTrip();
        probe.stop();
      }
    });
  });
}
