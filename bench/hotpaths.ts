/**
 * CPU time of the hot paths issue 11 reworked, on one 16-player room with no
 * network: the process's own user + system time around N ticks (start-up
 * excluded), so a machine busy with other work slows it without skewing it
 * much. Run the variants alternately several times and compare medians.
 *
 *   node --import tsx bench/hotpaths.ts --variant colyseus|lean --ticks N
 *
 * - colyseus: hit tests rewind through Colyseus's `Rewind` views (what the
 *   room did before) and test every player; inputs are buffered as
 *   `PlayerInput.clone()`, as Colyseus does by default.
 * - lean: `LagHistory` lookups with the broad phase, inputs copied into
 *   reused slots (`server/game/inputSlots.ts`).
 *
 * Everyone walks at random and fires whenever the cooldown allows, so the
 * room carries about as many projectiles as a busy real one.
 */
import { parseArgs } from 'node:util';
import { Rewind, type Room } from '@colyseus/core';
import { seededRandom } from '../shared/random.ts';
import { MAX_REWIND_MS, RESPAWN_DELAY_MS, SCOREBOARD_DURATION_MS, TICK_RATE_HZ } from '../shared/constants.ts';
import { PlayerInput, type InputFrame } from '../shared/input.ts';
import { ARENA_MAP } from '../shared/map.ts';
import type { Player } from '../shared/state.ts';
import { ArenaGame, type TickSource } from '../server/game/ArenaGame.ts';
import { copyInputsIntoSlots } from '../server/game/inputSlots.ts';
import { LagHistory } from '../server/game/lagHistory.ts';

const { values } = parseArgs({ options: { variant: { type: 'string' }, ticks: { type: 'string' } } });
const lean = values.variant === 'lean';
const ticks = Number(values.ticks ?? '0');
const PLAYERS = 16;
const STEP_MS = 1000 / TICK_RATE_HZ;
const VIEW_LAG_MS = 120;

const noop = { kill() {}, roundOver() {}, roundStarted() {} };
const game = new ArenaGame(
  ARENA_MAP,
  {
    tickRateHz: TICK_RATE_HZ,
    roundDurationMs: 10 * 60 * 1000,
    scoreboardDurationMs: SCOREBOARD_DURATION_MS,
    respawnDelayMs: RESPAWN_DELAY_MS,
  },
  noop,
);
const random = seededRandom(1);
const decoded: PlayerInput[] = [];
const queues: InputFrame[][] = [];
const ids: string[] = [];
for (let i = 0; i < PLAYERS; i++) {
  ids.push(`p${i}`);
  game.addPlayer(`p${i}`, `p${i}`);
  const latest = new PlayerInput();
  latest.moveX = 0;
  latest.moveY = 0;
  latest.aimRad = 0;
  latest.fire = false;
  decoded.push(latest);
  queues.push([]);
  if (lean) {
    const queue = queues[i]!;
    copyInputsIntoSlots(latest, () => queue.length);
  }
}

const rewind = Rewind.get({} as Room, { maxRewindMs: MAX_REWIND_MS });
rewind.attachAll(game.state.players, { fields: ['x', 'y'] });
const history = new LagHistory(MAX_REWIND_MS, STEP_MS);
const seen = { x: 0, y: 0 };
const source: TickSource = lean
  ? {
      nextInput: (sid) => queues[Number(sid.slice(1))]!.shift(),
      viewLagMs: () => VIEW_LAG_MS,
      positionAgo: (player: Player, lagMs: number) => history.positionAgo(player, lagMs, seen),
      boundsOf: (player, out) => history.boundsOf(player, out),
    }
  : {
      nextInput: (sid) => queues[Number(sid.slice(1))]!.shift(),
      viewLagMs: () => VIEW_LAG_MS,
      positionAgo: (player: Player, lagMs: number) => {
        if (lagMs <= 0) return { x: player.x, y: player.y };
        const view = rewind.at(rewind.lastRecordedAt - lagMs);
        return { x: view.value(player, 'x'), y: view.value(player, 'y') };
      },
    };

let now = 0;
let projectiles = 0;
const cpuBefore = process.cpuUsage();
for (let tick = 0; tick < ticks; tick++) {
  // One input per player per tick, decoded into its instance and buffered as Colyseus does.
  for (let i = 0; i < PLAYERS; i++) {
    const latest = decoded[i]!;
    if (tick % 20 === 0) {
      latest.moveX = Math.floor(random() * 3) - 1;
      latest.moveY = Math.floor(random() * 3) - 1;
    }
    latest.aimRad = (tick * 0.07 + i) % (Math.PI * 2);
    latest.fire = true;
    queues[i]!.push(latest.clone());
  }
  game.step(source);
  now += STEP_MS;
  if (lean) history.record(now, game.state.players.values());
  rewind.record(now, STEP_MS);
  projectiles += game.state.projectiles.size;
}
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${values.variant}: ${ticks} ticks, ${ticks ? (projectiles / ticks).toFixed(1) : 0} projectiles in flight on average, ` +
    `${((cpu.user + cpu.system) / 1000 / Math.max(1, ticks)).toFixed(4)} CPU ms per tick\n`,
);
