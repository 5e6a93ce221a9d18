/**
 * Baseline for the bandwidth comparison: the same match rules (the server's
 * `ArenaGame` on the shared simulation) at the same tick rate and room size,
 * but the naive wire format: each tick the whole state as JSON, to every
 * client, over plain `ws`. Inputs arrive as JSON `{moveX, moveY, aimRad, fire}`.
 *
 * `PORT` (default 0), `MAX_PLAYERS` (default 16).
 */
import type { WebSocket } from 'ws';
import {
  DEFAULT_MAX_PLAYERS,
  RESPAWN_DELAY_MS,
  ROUND_DURATION_MS,
  SCOREBOARD_DURATION_MS,
  TICK_RATE_HZ,
} from '../../shared/constants.ts';
import { sanitizeInput, type InputFrame } from '../../shared/input.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { ArenaGame, type TickSource } from '../../server/game/ArenaGame.ts';
import { fixedRate, portFromEnv, startBaseline } from './common.ts';

interface JsonRoom {
  game: ArenaGame;
  clients: Map<string, WebSocket>;
  inputs: Map<string, InputFrame[]>;
}

const maxPlayers = Number(process.env.MAX_PLAYERS ?? DEFAULT_MAX_PLAYERS);
const rooms: JsonRoom[] = [];
let nextId = 1;
const noop = { kill() {}, roundOver() {}, roundStarted() {} };
const rules = {
  tickRateHz: TICK_RATE_HZ,
  roundDurationMs: ROUND_DURATION_MS,
  scoreboardDurationMs: SCOREBOARD_DURATION_MS,
  respawnDelayMs: RESPAWN_DELAY_MS,
};

const { wss } = await startBaseline(portFromEnv());
wss.on('connection', (ws: WebSocket) => {
  let room = rooms.find((r) => r.clients.size < maxPlayers);
  if (!room) {
    room = { game: new ArenaGame(ARENA_MAP, rules, noop), clients: new Map(), inputs: new Map() };
    rooms.push(room);
  }
  const id = (nextId++).toString(36);
  const r = room;
  r.clients.set(id, ws);
  r.inputs.set(id, []);
  r.game.addPlayer(id, `p${id}`);
  ws.on('message', (data: Buffer) => {
    let frame: InputFrame;
    try {
      frame = JSON.parse(data.toString()) as InputFrame;
    } catch {
      return;
    }
    sanitizeInput(frame);
    const queue = r.inputs.get(id);
    if (queue && queue.length < 32) queue.push(frame);
  });
  ws.on('close', () => {
    r.clients.delete(id);
    r.inputs.delete(id);
    r.game.removePlayer(id);
  });
});

fixedRate(TICK_RATE_HZ, () => {
  for (const room of rooms) {
    if (room.clients.size === 0) continue;
    const source: TickSource = {
      nextInput: (sid) => room.inputs.get(sid)?.shift(),
      viewLagMs: () => 0,
      positionAgo: (player) => ({ x: player.x, y: player.y }),
    };
    room.game.step(source);
    const frame = Buffer.from(JSON.stringify(room.game.state.toJSON()));
    for (const ws of room.clients.values()) ws.send(frame);
  }
});
process.stdout.write(`json baseline listening on ${(wss.options.server!.address() as { port: number }).port}\n`);
