/**
 * A hostile client swarm, run as its own process so its CPU does not land on
 * the honest clients it is measured against:
 *
 *   node --import tsx test/helpers/fuzzer.ts <url> <roomId> <seconds> <clients> <seed>
 *
 * Each of `clients` loops until the time is up: join the room, misbehave
 * (random bytes under every protocol code, truncated and absurdly nested
 * MessagePack, out-of-range inputs, unknown message types and requests, bad
 * chat, chat far over the rate limit, oversized frames, floods) until the
 * server drops it, then join again. A session the server has not dropped
 * within {@link SESSION_LIMIT_MS} counts as survived (a failure for the test);
 * no session is abandoned at the end of the run, so every one ends one way or
 * the other. Worker `i` draws from its own PRNG seeded with `seed + i`, so its
 * sequence of attacks and bytes does not depend on how the workers interleave.
 * Prints one JSON line: sessions, dropped, survived, join failures, close codes.
 */
import { Client, type Room } from '@colyseus/sdk';
import { seededRandom } from '../../shared/random.ts';
import { sleep } from '../../common/sleep.ts';

const [url, roomId, secondsArg, clientsArg, seedArg] = process.argv.slice(2);
if (!url || !roomId) {
  process.stderr.write('usage: fuzzer.ts <url> <roomId> <seconds> <clients> <seed>\n');
  process.exit(2);
}
const deadline = Date.now() + Number(secondsArg ?? 30) * 1000;
const baseSeed = Number(seedArg ?? 1) >>> 0;

/** How long a hostile session may last before it counts as tolerated by the server, in ms. */
const SESSION_LIMIT_MS = 3000;
/** Pause before a dropped client joins again, in ms: a join storm is a different attack (for the load balancer). */
const REJOIN_DELAY_MS = 250;

const summary = { sessions: 0, dropped: 0, survived: 0, joinFailures: 0, codes: {} as Record<string, number> };

type Rnd = () => number;
type Attack = (room: Room, raw: (bytes: Uint8Array | string) => void, rnd: Rnd) => void;
const pick = <T>(list: readonly T[], rnd: Rnd): T => list[Math.floor(rnd() * list.length)]!;
/** MessagePack fixstr "chat". */
const CHAT = [0xa4, 0x63, 0x68, 0x61, 0x74];
/** Numbers no controller produces; the SDK's int8 encoding sends some as 0, the rest arrive out of range. */
const WEIRD_NUMBERS = [NaN, Infinity, -Infinity, 1e308, -1e308, 2 ** 53, -0, 100, -129, 3.7];
// Every client protocol code but LEAVE_ROOM (12: leaving is not an attack), server-only ones and nonsense.
const CODES = [10, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 0, 5, 31];

const attacks: Attack[] = [
  // Random bytes under a protocol code, sometimes with modifier bits.
  (_room, raw, rnd) => {
    const bytes = new Uint8Array(1 + Math.floor(rnd() * 64));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
    bytes[0] = pick(CODES, rnd) | (rnd() < 0.3 ? 0x80 : 0) | (rnd() < 0.2 ? 0x40 : 0);
    raw(bytes);
  },
  // A "chat" message whose MessagePack payload is cut short, or nested far too deep.
  (_room, raw) => raw(Uint8Array.of(13, ...CHAT, 0x83, 0xa4, 0x74)),
  (_room, raw) => raw(Uint8Array.of(13, ...CHAT, ...new Array<number>(12_000).fill(0x91), 0xc0)),
  // Empty and text frames.
  (_room, raw, rnd) => raw(rnd() < 0.5 ? new Uint8Array(0) : 'hello'),
  // Inputs with numbers no controller produces, and wrong types (the SDK refuses those).
  (room, _raw, rnd) => {
    const input = room.input<Record<string, unknown>>();
    for (let i = 0; i < 10; i++) {
      input.data.moveX = pick(WEIRD_NUMBERS, rnd);
      input.data.moveY = pick(WEIRD_NUMBERS, rnd);
      input.data.aimRad = pick(WEIRD_NUMBERS, rnd);
      input.data.fire = rnd() < 0.5 ? true : pick<unknown>(['yes', 1, null], rnd);
      try {
        input.send();
      } catch {
        // The SDK refused to encode it: fine, that is the client's own check.
      }
    }
  },
  (room, _raw, rnd) => room.send(`no-such-type-${Math.floor(rnd() * 1000)}`, { x: rnd() }),
  (_room, raw, rnd) => raw(Uint8Array.of(21, Math.floor(rnd() * 100), ...CHAT, 0x81, 0xa1, 0x74, 0xa1, 0x78)), // a request
  (room, _raw, rnd) =>
    room.send(
      'chat',
      pick<unknown>([42, null, [], { text: 7 }, { text: '\u0000\u202e' }, { text: 'z'.repeat(2000) }], rnd),
    ),
  (room) => {
    for (let i = 0; i < 80; i++) room.send('chat', { text: `spam ${i}` });
  },
  (room) => room.send('chat', { text: 'x'.repeat(40 * 1024) }),
  (room) => {
    for (let i = 0; i < 200; i++) room.ping(() => undefined);
  },
];

async function session(rnd: Rnd): Promise<void> {
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
  room.onMessage('*', () => undefined);
  let closedWith: number | undefined;
  room.onLeave((code) => (closedWith = code));
  // A text frame is one of the wrong shapes sent on purpose; the SDK's types allow only bytes.
  const raw = (bytes: Uint8Array | string): void => Reflect.apply(room.connection.send, room.connection, [bytes]);
  const sessionEnds = Date.now() + SESSION_LIMIT_MS;
  while (closedWith === undefined && Date.now() < sessionEnds) {
    try {
      pick(attacks, rnd)(room, raw, rnd);
    } catch {
      // Sending on a socket the server is closing.
    }
    await sleep(5 + rnd() * 20);
  }
  if (closedWith === undefined) {
    summary.survived += 1;
    await room.leave().catch(() => undefined);
    return;
  }
  summary.dropped += 1;
  summary.codes[closedWith] = (summary.codes[closedWith] ?? 0) + 1;
  await sleep(REJOIN_DELAY_MS);
}

async function worker(rnd: Rnd): Promise<void> {
  while (Date.now() < deadline) await session(rnd);
}

await Promise.all(Array.from({ length: Number(clientsArg ?? 4) }, (_, i) => worker(seededRandom(baseSeed + i))));
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(0);
