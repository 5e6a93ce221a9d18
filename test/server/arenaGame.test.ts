/**
 * The match rules (ArenaGame) driven tick by tick with a scripted TickSource:
 * exact tick counts for input credit, fire cooldown, respawn and the round
 * clock, which the networked tests can only bound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FIRE_COOLDOWN_MS,
  PLAYER_MAX_HP,
  PLAYER_SPEED_PX_PER_S,
  PROJECTILE_DAMAGE_HP,
  SCORE_PER_KILL,
  TICK_RATE_HZ,
} from '../../shared/constants.ts';
import type { InputFrame } from '../../shared/input.ts';
import { ARENA_MAP, type Point } from '../../shared/map.ts';
import type { KillEvent, RoundOverEvent } from '../../shared/messages.ts';
import { RoundPhase, type Player } from '../../shared/state.ts';
import { ArenaGame, STALL_CATCHUP_MS, type GameRules, type TickSource } from '../../server/game/ArenaGame.ts';

const RULES: GameRules = {
  tickRateHz: TICK_RATE_HZ,
  roundDurationMs: 5000,
  scoreboardDurationMs: 1000,
  respawnDelayMs: 1000,
};
const ticksOf = (ms: number) => Math.ceil((ms * TICK_RATE_HZ) / 1000);
const STEP_PX = PLAYER_SPEED_PX_PER_S / TICK_RATE_HZ;
const LANE_Y = 380;

/** A TickSource over per-player input queues, with no lag (positions read live). */
class ScriptedSource implements TickSource {
  readonly queues = new Map<string, InputFrame[]>();
  push(sid: string, frame: Partial<InputFrame>, count = 1): void {
    const q = this.queues.get(sid) ?? [];
    for (let i = 0; i < count; i++) q.push({ moveX: 0, moveY: 0, aimRad: 0, fire: false, ...frame });
    this.queues.set(sid, q);
  }
  nextInput(sid: string): InputFrame | undefined {
    return this.queues.get(sid)?.shift();
  }
  viewLagMs(): number {
    return 0;
  }
  positionAgo(player: Player): Point {
    return { x: player.x, y: player.y };
  }
}

function setup() {
  const kills: KillEvent[] = [];
  const roundsOver: RoundOverEvent[] = [];
  const roundsStarted: number[] = [];
  const game = new ArenaGame(ARENA_MAP, RULES, {
    kill: (e) => kills.push(e),
    roundOver: (e) => roundsOver.push(e),
    roundStarted: (n) => roundsStarted.push(n),
  });
  return { game, source: new ScriptedSource(), kills, roundsOver, roundsStarted };
}

function put(player: Player, x: number, y: number): void {
  player.x = x;
  player.y = y;
}

describe('ArenaGame rules', () => {
  it('starts players with zeroed counters and a whole-number tick', () => {
    const { game, source } = setup();
    const p = game.addPlayer('a', 'Alice');
    assert.deepEqual(
      { kills: p.kills, deaths: p.deaths, score: p.score, hp: p.hp, alive: p.alive },
      { kills: 0, deaths: 0, score: 0, hp: PLAYER_MAX_HP, alive: true },
    );
    assert.equal(game.state.tick, 0);
    game.step(source);
    assert.equal(game.state.tick, 1);
  });

  it('consumes at most one input per tick once the bank is spent', () => {
    const { game, source } = setup();
    const p = game.addPlayer('a', 'Alice');
    put(p, 40, LANE_Y);
    source.push('a', { moveX: 1 }, 100);
    const consumedAfter: number[] = [];
    for (let i = 0; i < 10; i++) {
      game.step(source);
      consumedAfter.push(100 - source.queues.get('a')!.length);
    }
    // A new player banks 2, +1 per tick: 3 on the first tick, then one per tick.
    assert.deepEqual(consumedAfter, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.ok(Math.abs(p.x - (40 + 12 * STEP_PX)) < 1e-3);

    // After idling, the bank refills to what a network stall of STALL_CATCHUP_MS needs, and no more.
    const bank = ticksOf(STALL_CATCHUP_MS);
    assert.equal(bank, 12);
    source.queues.set('a', []);
    for (let i = 0; i < 40; i++) game.step(source);
    source.push('a', { moveX: 1 }, 50);
    game.step(source);
    assert.equal(50 - source.queues.get('a')!.length, bank, `never more than ${bank} inputs in one tick`);
    game.step(source);
    assert.equal(50 - source.queues.get('a')!.length, bank + 1);
  });

  it("counts the fire cooldown in the shooter's own inputs, so a burst after a stall fires what the client predicted", () => {
    const { game, source } = setup();
    const p = game.addPlayer('a', 'Alice');
    put(p, 100, LANE_Y);
    for (let i = 0; i < 20; i++) game.step(source); // stalled: the bank fills
    const cooldown = ticksOf(FIRE_COOLDOWN_MS);
    source.push('a', { fire: true, aimRad: 0 }, cooldown + 1);
    game.step(source);
    assert.equal(source.queues.get('a')!.length, 0, 'the whole burst consumed in one tick');
    assert.equal(game.state.projectiles.size, 2, `inputs 1 and ${cooldown + 1} of the burst both fire`);
  });

  it('fires exactly once per cooldown while the trigger is held', () => {
    const { game, source } = setup();
    const p = game.addPlayer('a', 'Alice');
    put(p, 100, LANE_Y);
    const firedTicks = new Set<number>();
    for (let i = 0; i < 40; i++) {
      source.push('a', { fire: true, aimRad: 0 });
      game.step(source);
      game.state.projectiles.forEach((proj) => {
        firedTicks.add(proj.firedTick);
      });
    }
    const cooldown = ticksOf(FIRE_COOLDOWN_MS);
    assert.deepEqual(
      [...firedTicks],
      [1, 1 + cooldown, 1 + 2 * cooldown, 1 + 3 * cooldown, 1 + 4 * cooldown].filter((t) => t <= 40),
    );
  });

  it('kills after four hits, scores the killer, and respawns the victim exactly RESPAWN_DELAY later', () => {
    const { game, source, kills } = setup();
    const shooter = game.addPlayer('s', 'Shooter');
    const victim = game.addPlayer('v', 'Victim');
    put(shooter, 640, LANE_Y);
    put(victim, 720, LANE_Y);
    let deathTick = -1;
    for (let i = 0; i < 200 && deathTick < 0; i++) {
      source.push('s', { fire: true, aimRad: 0 });
      game.step(source);
      if (!victim.alive) deathTick = game.state.tick;
    }
    assert.ok(deathTick > 0);
    assert.equal(victim.hp, 0);
    assert.equal(victim.deaths, 1);
    assert.equal(shooter.kills, 1);
    assert.equal(shooter.score, SCORE_PER_KILL);
    assert.deepEqual(kills, [
      { killerId: 's', killerName: 'Shooter', victimId: 'v', victimName: 'Victim', respawnInMs: RULES.respawnDelayMs },
    ]);
    assert.equal(Math.ceil(PLAYER_MAX_HP / PROJECTILE_DAMAGE_HP), 4);

    // Dead: inputs are consumed but do not move it, and shots pass through it.
    const deadAt = { x: victim.x, y: victim.y };
    while (game.state.tick < deathTick + ticksOf(RULES.respawnDelayMs) - 1) {
      source.push('v', { moveX: 1 });
      source.push('s', { fire: true, aimRad: 0 });
      game.step(source);
      assert.equal(victim.alive, false, `tick ${game.state.tick}`);
      assert.deepEqual({ x: victim.x, y: victim.y }, deadAt);
      assert.equal(victim.hp, 0);
    }
    assert.equal(shooter.kills, 1, 'a dead player cannot be killed again');
    game.step(source);
    assert.equal(game.state.tick, deathTick + ticksOf(RULES.respawnDelayMs));
    assert.equal(victim.alive, true);
    assert.equal(victim.hp, PLAYER_MAX_HP);
    assert.ok(ARENA_MAP.spawns.some((s) => s.x === victim.x && s.y === victim.y));
  });

  it('runs the round clock to the tick, with a sorted scoreboard and a reset', () => {
    const { game, source, roundsOver, roundsStarted } = setup();
    const a = game.addPlayer('a', 'Alice');
    const b = game.addPlayer('b', 'Bob');
    const c = game.addPlayer('c', 'Carol');
    const d = game.addPlayer('d', 'Dave');
    Object.assign(a, { score: 2, deaths: 5, kills: 2 });
    Object.assign(b, { score: 2, deaths: 1, kills: 2 });
    Object.assign(c, { score: 4, deaths: 9, kills: 4 });
    Object.assign(d, { score: 2, deaths: 1, kills: 2 });
    const roundTicks = ticksOf(RULES.roundDurationMs);
    assert.equal(game.state.round.secondsLeft, RULES.roundDurationMs / 1000);
    for (let i = 0; i < roundTicks - 1; i++) game.step(source);
    assert.equal(game.state.round.phase, RoundPhase.Playing);
    assert.equal(game.state.round.secondsLeft, 1);
    game.step(source);
    assert.equal(game.state.round.phase, RoundPhase.Scoreboard);
    assert.equal(roundsOver.length, 1);
    assert.deepEqual(
      roundsOver[0]!.rows.map((r) => r.name),
      ['Carol', 'Bob', 'Dave', 'Alice'],
      'score first, then fewer deaths, then name',
    );
    assert.equal(roundsOver[0]!.nextRoundInMs, RULES.scoreboardDurationMs);
    assert.ok([a, b, c, d].every((p) => !p.alive));

    // Nobody moves or shoots during the scoreboard.
    put(a, 100, LANE_Y);
    for (let i = 0; i < ticksOf(RULES.scoreboardDurationMs) - 1; i++) {
      source.push('a', { moveX: 1, fire: true });
      game.step(source);
    }
    assert.equal(a.x, 100);
    assert.equal(game.state.projectiles.size, 0);
    assert.equal(game.state.round.phase, RoundPhase.Scoreboard);
    game.step(source);
    assert.equal(game.state.round.phase, RoundPhase.Playing);
    assert.equal(game.state.round.number, 2);
    assert.deepEqual(roundsStarted, [2]);
    for (const p of [a, b, c, d]) {
      assert.deepEqual(
        { kills: p.kills, deaths: p.deaths, score: p.score, hp: p.hp, alive: p.alive },
        { kills: 0, deaths: 0, score: 0, hp: PLAYER_MAX_HP, alive: true },
      );
    }
    const spots = new Set([a, b, c, d].map((p) => `${p.x},${p.y}`));
    assert.equal(spots.size, 4, 'everyone restarts on a different spawn point');
  });

  it('a player joining during the scoreboard waits for the next round', () => {
    const { game, source } = setup();
    game.addPlayer('a', 'Alice');
    for (let i = 0; i < ticksOf(RULES.roundDurationMs); i++) game.step(source);
    const late = game.addPlayer('z', 'Late');
    assert.equal(late.alive, false);
    for (let i = 0; i < ticksOf(RULES.scoreboardDurationMs); i++) game.step(source);
    assert.equal(late.alive, true);
  });

  it('removing a player removes its projectiles in flight, so a departed player deals no damage', () => {
    const { game, source, kills } = setup();
    const s = game.addPlayer('s', 'Shooter');
    const v = game.addPlayer('v', 'Victim');
    put(s, 100, LANE_Y);
    put(v, 900, LANE_Y);
    source.push('s', { fire: true, aimRad: 0 });
    game.step(source);
    assert.equal(game.state.projectiles.size, 1);
    game.removePlayer('s');
    assert.equal(game.state.projectiles.size, 0);
    assert.equal(game.state.players.has('s'), false);

    const s2 = game.addPlayer('s2', 'Sniper');
    put(s2, 100, LANE_Y);
    v.hp = PROJECTILE_DAMAGE_HP;
    put(v, 200, LANE_Y);
    source.push('s2', { fire: true, aimRad: 0 });
    game.step(source);
    game.removePlayer('s2');
    for (let i = 0; i < 10 && v.alive; i++) game.step(source);
    // The lethal projectile left with its owner, so the victim survives.
    assert.equal(v.alive, true);
    assert.equal(kills.length, 0);
  });
});
