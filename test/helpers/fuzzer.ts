/**
 * A hostile client swarm, run as its own process so its CPU does not land on
 * the honest clients it is measured against:
 *
 *   node --import tsx test/helpers/fuzzer.ts <url> <roomId> <seconds> <clients> <seed>
 *
 * Each of `clients` loops until the time is up: join the room, misbehave
 * (random bytes under every protocol code, truncated MessagePack, out-of-range
 * and wrong-typed inputs, unknown message types, bad chat, oversized frames,
 * floods) until the server drops it, then join again. Seeded, so a failing
 * run can be replayed. Prints one JSON line: sessions, how many the server
 * dropped, how many it had to be asked to leave (never dropped), close codes.
 */
import { Client, type Room } from '@colyseus/sdk';

const [url, roomId, secondsArg, clientsArg, seedArg] = process.argv.slice(2);
if (!url || !roomId) {
  process.stderr.write('usage: fuzzer.ts <url> <roomId> <seconds> <clients> <seed>\n');
  process.exit(2);
}
const deadline = Date.now() + Number(secondsArg ?? 30) * 1000;
let seed = Number(seedArg ?? 1) >>> 0 || 1;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const summary = { sessions: 0, dropped: 0, survived: 0, endedByDeadline: 0, joinFailures: 0, codes: {} as Record<string, number> };
/** Pause before a dropped client joins again, in milliseconds. */
const REJOIN_DELAY_MS = 250;

type Attack = (room: Room, raw: (bytes: Uint8Array) => void) => void;
const WEIRD_NUMBERS = [NaN, Infinity, -Infinity, 1e308, -1e308, 2 ** 53, -0, 255, -129, 3.7];
const attacks: Attack[] = [
  // Random bytes under a real protocol code, sometimes with modifier bits.
  (_room, raw) => {
    const bytes = new Uint8Array(1 + Math.floor(rnd() * 64));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
    bytes[0] = pick([10, 12, 13, 14, 16, 17, 18, 19, 20, 21, 99]) | (rnd() < 0.3 ? 0x80 : 0) | (rnd() < 0.2 ? 0x40 : 0);
    raw(bytes);
  },
  // A "chat" message whose MessagePack payload is cut short.
  (_room, raw) => raw(new Uint8Array([13, 0xa4, 0x63, 0x68, 0x61, 0x74, 0x83, 0xa4, 0x74])),
  // Inputs with numbers no controller produces, and wrong types.
  (room) => {
    const input = room.input() as unknown as { data: Record<string, unknown>; send(): void };
    input.data.moveX = pick(WEIRD_NUMBERS);
    input.data.moveY = pick(WEIRD_NUMBERS);
    input.data.aimRad = pick(WEIRD_NUMBERS);
    input.data.fire = rnd() < 0.5;
    try {
      input.send();
    } catch {
      // The SDK refused to encode it: fine, that is the client's own check.
    }
  },
  (room) => room.send(`no-such-type-${Math.floor(rnd() * 1000)}`, { x: rnd() }),
  (room) => room.send('chat', pick<unknown>([42, null, [], { text: 7 }, { text: '\u0000\u202e' }, { text: 'z'.repeat(2000) }])),
  (room) => room.send('chat', { text: 'x'.repeat(40 * 1024) }),
  (room) => {
    for (let i = 0; i < 200; i++) room.ping(() => undefined);
  },
];

async function session(): Promise<void> {
  let room: Room;
  try {
    room = await new Client(url!).joinById(roomId!, { name: `fz${Math.floor(rnd() * 1e6)}` });
  } catch {
    summary.joinFailures += 1;
    await sleep(100);
    return;
  }
  summary.sessions += 1;
  room.reconnection.enabled = false;
  let closedWith: number | undefined;
  room.onLeave((code) => (closedWith = code));
  const raw = (bytes: Uint8Array): void => (room as unknown as { connection: { send(d: Uint8Array): void } }).connection.send(bytes);
  const sessionEnds = Date.now() + 3000;
  while (closedWith === undefined && Date.now() < Math.min(deadline, sessionEnds)) {
    try {
      pick(attacks)(room, raw);
    } catch {
      // Sending on a socket the server is closing.
    }
    await sleep(5 + rnd() * 20);
  }
  if (closedWith === undefined) {
    // Still connected: tolerated by the server if it had its full time, else cut short by the end of the run.
    if (Date.now() >= sessionEnds) summary.survived += 1;
    else summary.endedByDeadline += 1;
    await room.leave().catch(() => undefined);
    return;
  }
  summary.dropped += 1;
  summary.codes[closedWith] = (summary.codes[closedWith] ?? 0) + 1;
  // Come back, as a persistent attacker does, but not in a tight loop: a
  // join storm is a different attack (for rate limits at the load balancer).
  await sleep(REJOIN_DELAY_MS);
}

async function worker(): Promise<void> {
  while (Date.now() < deadline) await session();
}

await Promise.all(Array.from({ length: Number(clientsArg ?? 4) }, () => worker()));
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(0);
