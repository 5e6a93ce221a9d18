/**
 * Room hand-off at the rules level: a match snapshotted mid-round (a player
 * dead and waiting to respawn, a shooter on cooldown) and restored in a fresh
 * ArenaGame continues exactly as the original does, tick for tick; and a
 * snapshot that is damaged or from another build is refused, never half-read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TICK_RATE_HZ } from '../../shared/constants.ts';
import type { InputFrame } from '../../shared/input.ts';
import { ARENA_MAP } from '../../shared/map.ts';
import type { Player } from '../../shared/state.ts';
import { ArenaGame, type GameRules, type TickSource } from '../../server/game/ArenaGame.ts';
import { MAX_SNAPSHOT_BYTES, parseGameSnapshot, SNAPSHOT_VERSION } from '../../server/game/snapshot.ts';

const RULES: GameRules = {
  tickRateHz: TICK_RATE_HZ,
  roundDurationMs: 60_000,
  scoreboardDurationMs: 1000,
  respawnDelayMs: 1000,
};
const LANE_Y = 380;
const NO_EVENTS = { kill: () => undefined, roundOver: () => undefined, roundStarted: () => undefined };

/** One input per player per tick, as a client at the tick rate sends; no lag. */
class Script implements TickSource {
  frames = new Map<string, InputFrame>();
  private served = new Set<string>();
  /** Feed `game` one tick of the current frames. */
  step(game: ArenaGame): void {
    this.served.clear();
    game.step(this);
  }
  nextInput(sid: string): InputFrame | undefined {
    if (this.served.has(sid)) return undefined;
    this.served.add(sid);
    return this.frames.get(sid);
  }
  viewLagMs(): number {
    return 0;
  }
  positionAgo(player: Player) {
    return { x: player.x, y: player.y };
  }
}

const frame = (f: Partial<InputFrame>): InputFrame => ({ moveX: 0, moveY: 0, aimRad: 0, fire: false, ...f });

/** Everything the players and round show, as plain data. */
function view(game: ArenaGame): unknown {
  const players = [...game.state.players].map(([id, p]) => [
    id,
    p.name,
    p.x,
    p.y,
    p.aimRad,
    p.hp,
    p.alive,
    p.kills,
    p.deaths,
    p.score,
  ]);
  const r = game.state.round;
  return { tick: game.state.tick, round: [r.number, r.phase, r.secondsLeft], players, phaseMsLeft: game.phaseMsLeft };
}

/** A match in the middle of things: the victim has just died, the shooter is on cooldown, no shot in flight. */
function midMatch(): { game: ArenaGame; script: Script } {
  const game = new ArenaGame(ARENA_MAP, RULES, NO_EVENTS);
  const script = new Script();
  const shooter = game.addPlayer('s', 'Shooter');
  const victim = game.addPlayer('v', 'Victim');
  game.addPlayer('w', 'Walker');
  shooter.x = 640;
  shooter.y = LANE_Y;
  victim.x = 720;
  victim.y = LANE_Y;
  script.frames.set('s', frame({ fire: true }));
  for (let i = 0; i < 300 && victim.alive; i++) script.step(game);
  assert.equal(victim.alive, false, 'the victim died');
  script.frames.clear();
  for (let i = 0; i < 30 && game.state.projectiles.size > 0; i++) script.step(game);
  assert.equal(game.state.projectiles.size, 0, 'no shot in flight');
  assert.equal(victim.alive, false, 'still waiting to respawn');
  return { game, script };
}

describe('game snapshot and restore', () => {
  it('continues a restored match exactly like the original, respawn and cooldown included', () => {
    const { game: original, script } = midMatch();
    const json = JSON.stringify(original.snapshot());
    const parsed = parseGameSnapshot(json);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    const restored = new ArenaGame(ARENA_MAP, RULES, NO_EVENTS);
    restored.restore(parsed.value);
    assert.deepEqual(view(restored), view(original), 'same match right after the restore');
    assert.ok(original.state.players.get('s')!.kills >= 1);

    let respawnedAt = -1;
    for (let i = 0; i < 90; i++) {
      script.frames.set('s', frame({ fire: i > 20, aimRad: Math.PI / 2 }));
      script.frames.set('w', frame({ moveX: i % 3 === 0 ? 1 : -1, moveY: 1 }));
      script.frames.set('v', frame({ moveY: -1 }));
      script.step(original);
      script.step(restored);
      assert.deepEqual(view(restored), view(original), `same match ${i + 1} ticks after the restore`);
      assert.deepEqual([...restored.state.projectiles.keys()].length, [...original.state.projectiles.keys()].length);
      if (respawnedAt < 0 && restored.state.players.get('v')!.alive) respawnedAt = i;
    }
    assert.ok(respawnedAt >= 0, 'the dead player respawned on schedule in the restored match');
  });

  it('converts its timers when the new instance runs at another tick rate', () => {
    const { game: original } = midMatch();
    const snap = original.snapshot();
    const fast = new ArenaGame(ARENA_MAP, { ...RULES, tickRateHz: TICK_RATE_HZ * 2 }, NO_EVENTS);
    fast.restore(snap);
    assert.ok(
      Math.abs(fast.phaseMsLeft - original.phaseMsLeft) < 1000 / TICK_RATE_HZ,
      'the round ends at the same time',
    );
  });

  it('refuses another map', () => {
    const snap = { ...midMatch().game.snapshot(), mapId: 'elsewhere' };
    assert.throws(() => new ArenaGame(ARENA_MAP, RULES, NO_EVENTS).restore(snap), /map "elsewhere"/u);
  });

  const good = (): Record<string, unknown> =>
    JSON.parse(JSON.stringify(midMatch().game.snapshot())) as Record<string, unknown>;
  const cases: Array<[string, () => string, RegExp]> = [
    ['not JSON', () => '{oops', /not JSON/u],
    ['another version', () => JSON.stringify({ ...good(), version: SNAPSHOT_VERSION + 1 }), /version/u],
    ['a non-integer tick', () => JSON.stringify({ ...good(), tick: 1.5 }), /tick/u],
    ['a bad round phase', () => JSON.stringify({ ...good(), round: { number: 1, phase: 7 } }), /round/u],
    [
      'hp out of range',
      () => {
        const s = good();
        (s.players as Array<Record<string, unknown>>)[0]!.hp = 101;
        return JSON.stringify(s);
      },
      /players\[0\]\.hp/u,
    ],
    ['a NaN position', () => JSON.stringify(good()).replace(/"x":[-0-9.e]+/u, '"x":"NaN"'), /players\[0\]\.x/u],
    ['too many bytes', () => JSON.stringify({ ...good(), pad: 'x'.repeat(MAX_SNAPSHOT_BYTES) }), /bytes/u],
  ];
  for (const [what, make, error] of cases) {
    it(`refuses a snapshot with ${what}`, () => {
      const parsed = parseGameSnapshot(make());
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, error);
    });
  }
});
