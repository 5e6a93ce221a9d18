/**
 * Baseline for the CPU comparison: a minimal stock Colyseus 0.18 room of the
 * arena's shape, with none of the game. 16 players per room, each with name,
 * x, y, aim and hp in a schema map; inputs through `defineInput` with the
 * arena's own `PlayerInput` (so the bots' SDK input, acks and pings work
 * unchanged), applied in a 30 Hz `setFixedTimestep`, and Colyseus's own patch
 * timer at 30 Hz. Chat is relayed as the arena does. No projectiles, rewind,
 * metrics wrappers or policing: what the framework itself costs at this load.
 *
 * `PORT` (default 0), `MAX_PLAYERS` (default 16).
 */
import { defineRoom, defineServer, Room, type Client } from '@colyseus/core';
import { schema, t, type SchemaType } from '@colyseus/schema';
import { WebSocketTransport } from '@colyseus/ws-transport';
import {
  DEFAULT_MAX_PLAYERS,
  PATCH_INTERVAL_MS,
  PLAYER_MAX_HP,
  PLAYER_RADIUS_PX,
  PLAYER_SPEED_PX_PER_S,
  TICK_RATE_HZ,
} from '../../shared/constants.ts';
import { PlayerInput } from '../../shared/input.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import { ClientMessage, ServerMessage } from '../../shared/messages.ts';
import { portFromEnv, processMetricsText } from './common.ts';

const StockPlayer = schema(
  { name: t.string(), x: t.float32(), y: t.float32(), aimRad: t.angle().default(0), hp: t.uint8() },
  'StockPlayer',
);
const StockState = schema({ players: t.map(StockPlayer) }, 'StockState');
type StockState = SchemaType<typeof StockState>;

const maxPlayers = Number(process.env.MAX_PLAYERS ?? DEFAULT_MAX_PLAYERS);
const STEP_PX = PLAYER_SPEED_PX_PER_S / TICK_RATE_HZ;
const clamp = (v: number, max: number): number => Math.min(Math.max(v, PLAYER_RADIUS_PX), max - PLAYER_RADIUS_PX);

class StockRoom extends Room<{ state: StockState; input: PlayerInput }> {
  override maxClients = maxPlayers;
  override inputs = this.defineInput(PlayerInput);

  override onCreate(): void {
    this.state = new StockState();
    this.patchRate = PATCH_INTERVAL_MS;
    this.setFixedTimestep(() => {
      for (const [sid, p] of this.state.players) {
        const input = this.inputs.get(sid).next();
        if (!input) continue;
        p.x = clamp(p.x + input.moveX * STEP_PX, ARENA_MAP.widthPx);
        p.y = clamp(p.y + input.moveY * STEP_PX, ARENA_MAP.heightPx);
        p.aimRad = input.aimRad;
      }
    }, TICK_RATE_HZ);
    this.onMessage(ClientMessage.Chat, (client: Client, payload: { text?: unknown }) => {
      const player = this.state.players.get(client.sessionId);
      if (player)
        this.broadcast(ServerMessage.Chat, {
          fromId: client.sessionId,
          name: player.name,
          text: String(payload?.text ?? ''),
        });
    });
  }

  override onJoin(client: Client, options: { name?: unknown }): void {
    const p = new StockPlayer();
    p.name = String(options?.name ?? 'player').slice(0, 16);
    const spawn = ARENA_MAP.spawns[this.state.players.size % ARENA_MAP.spawns.length]!;
    p.x = spawn.x;
    p.y = spawn.y;
    p.hp = PLAYER_MAX_HP;
    this.state.players.set(client.sessionId, p);
  }

  override onLeave(client: Client): void {
    this.state.players.delete(client.sessionId);
  }
}

const server = defineServer({
  greet: false,
  transport: new WebSocketTransport({ maxPayload: 16 * 1024 }),
  rooms: { arena: defineRoom(StockRoom) },
  express: (app) => {
    app.get('/healthz', (_req, res) => void res.status(200).json({ status: 'alive' }));
    app.get(
      '/metrics',
      (_req, res) => void res.status(200).type('text/plain; version=0.0.4').send(processMetricsText()),
    );
  },
});
await server.listen(portFromEnv());
