/**
 * Where a player goes, locality first. Behind a load balancer that keeps a
 * browser on one instance (App Engine's and Cloud Run's session affinity,
 * best effort), the cheapest player is one whose room lives on the instance
 * its socket reaches: nothing then crosses between instances. So:
 *
 * 1. a room with space on the receiving instance is joined first (the
 *    fullest, so rooms fill);
 * 2. else a room elsewhere where someone waits alone (or that was just
 *    opened): lone players are matched together at once, whichever
 *    instances they reached, and an instance never opens a room while
 *    another's newest room waits alone. It costs about one player per room
 *    reaching its room through another instance (1/16 of players);
 * 3. else a new room opens on the receiving instance, unless that instance is
 *    clearly the most loaded: then the fullest room with space anywhere is
 *    joined, and a new room goes to the least-loaded instance.
 *
 * Without affinity, most players land away from their room anyway and the
 * edge carries them (see `edge/`); this policy costs nothing there.
 */

/** What placement reads of a listed room (Colyseus's room cache). */
export interface RoomListing {
  roomId: string;
  processId: string;
  clients: number;
  maxClients: number;
  createdAt?: Date | string | undefined;
  /** The arena's listing metadata: its player count and cap (`clients` and `maxClients` count spectators too). */
  metadata?: { players?: unknown; maxPlayers?: unknown } | undefined;
}

/** Players in a listed room and its player seats: the metadata's when it has them (spectators left out). */
function seatsOf(room: RoomListing): { players: number; max: number } {
  const { players, maxPlayers } = room.metadata ?? {};
  return typeof players === 'number' && typeof maxPlayers === 'number'
    ? { players, max: maxPlayers }
    : { players: room.clients, max: room.maxClients };
}

/** Players a remote room may hold and still count as someone waiting alone. */
export const LONELY_ROOM_CLIENTS = 1;

/**
 * True when `selfCcu` is clearly above the rest: at least two rooms' worth of
 * players more than the least-loaded instance, and 25 % over the mean.
 * @param ccus players on every eligible instance, this one included
 * @param roomSize players per room
 */
export function isClearlyMostLoaded(selfCcu: number, ccus: readonly number[], roomSize: number): boolean {
  if (ccus.length < 2) return false;
  const min = Math.min(...ccus);
  const mean = ccus.reduce((sum, c) => sum + c, 0) / ccus.length;
  return selfCcu - min >= 2 * roomSize && selfCcu > 1.25 * mean;
}

const fullest = (a: RoomListing, b: RoomListing): number =>
  seatsOf(b).players - seatsOf(a).players ||
  new Date(a.createdAt ?? 0).getTime() - new Date(b.createdAt ?? 0).getTime();

/**
 * The room a player who reached `self` should join, among `available` rooms
 * (unlocked, public, of the wanted name), or undefined to open a new one.
 */
export function chooseRoom(
  available: readonly RoomListing[],
  self: string,
  selfClearlyMostLoaded: boolean,
): RoomListing | undefined {
  const open = available.filter((room) => seatsOf(room).players < seatsOf(room).max);
  const local = open.filter((room) => room.processId === self).sort(fullest);
  if (local[0]) return local[0];
  const lonely = open.filter((room) => seatsOf(room).players <= LONELY_ROOM_CLIENTS).sort(fullest);
  if (lonely[0]) return lonely[0];
  if (selfClearlyMostLoaded) return [...open].sort(fullest)[0];
  return undefined;
}
