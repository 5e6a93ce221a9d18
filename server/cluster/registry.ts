/**
 * Which instances are alive and where their peers can reach them. Each
 * instance refreshes a short-lived Redis key every second; an instance whose
 * key has expired is dead, and the first live peer to notice removes its rooms
 * from matchmaking and the lobby within seconds (Colyseus alone notices only
 * when another process boots or an IPC call times out).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export interface InstanceInfo {
  processId: string;
  /** `host:port` where peers reach this instance's HTTP/WebSocket port directly. */
  address: string;
  /** Loopback port of this instance, used by tunnels arriving over Redis. */
  port: number;
  startedAtEpochMs: number;
  draining: boolean;
  /** Arena rooms this instance hosts at most (`MAX_ROOMS`); absent from instances of older builds. */
  maxRooms?: number | undefined;
}

export interface RegistryOptions {
  /** How often the heartbeat key is refreshed, ms. Default 1000. */
  heartbeatMs?: number;
  /** How long a heartbeat stays valid, ms. Default 4000: three missed beats and the instance is dead. */
  ttlMs?: number;
}

/** Called for each instance found dead, once, by the one peer that won the clean-up lock. */
export type DeadInstanceHandler = (processId: string) => Promise<void>;

const MEMBERS_KEY = 'arena:instances';
/** Shortest time between two reads of the member set prompted by lookups of unknown ids, in milliseconds. */
const MEMBERS_REFRESH_MS = 250;
const keyOf = (processId: string): string => `arena:instance:${processId}`;

export class InstanceRegistry {
  private timer?: NodeJS.Timeout;
  private readonly cache = new Map<string, { info: InstanceInfo | undefined; atMs: number }>();
  /** The last heartbeat seen of each peer and when, for when Redis cannot answer. */
  private readonly lastKnown = new Map<string, { info: InstanceInfo; atMs: number }>();
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly deadListeners: DeadInstanceHandler[] = [];
  private beating = false;
  /**
   * Process ids in the member set, as last read, and when. Lookups answer only
   * for these: the id comes from a client's URL, so an unknown one must cost
   * neither a Redis round trip nor a cache entry.
   */
  private members = new Set<string>();
  private membersAtMs = 0;
  private membersRead: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly self: InstanceInfo,
    private readonly log: Logger,
    options: RegistryOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 4000;
  }

  get processId(): string {
    return this.self.processId;
  }

  /** Register a clean-up step for dead instances (rooms, lobby, tunnels). */
  onDeadInstance(handler: DeadInstanceHandler): void {
    this.deadListeners.push(handler);
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Mark this instance as draining: peers stop placing rooms on it. */
  async setDraining(draining: boolean): Promise<void> {
    this.self.draining = draining;
    await this.beat();
  }

  /** Stop beating and remove this instance's entry so peers forget it at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis
      .multi()
      .del(keyOf(this.self.processId))
      .srem(MEMBERS_KEY, this.self.processId)
      .exec()
      .catch(() => undefined);
  }

  /** True while the Redis connection is up. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /**
   * Look up a live instance, cached for one heartbeat. Only members of the
   * cluster are looked up (the member set is read at most every
   * {@link MEMBERS_REFRESH_MS} on behalf of unknown ids), so the cache holds
   * at most one entry per real instance whatever ids are asked for.
   */
  async lookup(processId: string): Promise<InstanceInfo | undefined> {
    if (processId === this.self.processId) return this.self;
    const cached = this.cache.get(processId);
    const now = Date.now();
    if (cached && now - cached.atMs < this.heartbeatMs) return cached.info;
    const known = this.lastKnown.get(processId);
    const recent = known && now - known.atMs < this.ttlMs + this.heartbeatMs ? known.info : undefined;
    // Redis is away: a peer seen moments ago is most likely still there
    // (direct forwarding does not need Redis), and waiting would hang the request.
    if (this.redis.status !== 'ready') return recent;
    if (!this.members.has(processId)) {
      if (now - this.membersAtMs >= MEMBERS_REFRESH_MS) await this.readMembers();
      if (!this.members.has(processId)) return recent;
    }
    const raw = await this.redis.get(keyOf(processId));
    const info = raw ? (JSON.parse(raw) as InstanceInfo) : undefined;
    this.cache.set(processId, { info, atMs: now });
    if (info) this.lastKnown.set(processId, { info, atMs: now });
    // No key right after Redis came back empty is not death: the peer re-registers within a beat.
    return info ?? recent;
  }

  /** Entries in the lookup cache (bounded by the cluster's size). */
  get cachedEntries(): number {
    return this.cache.size + this.lastKnown.size;
  }

  /** Read the member set (one read at a time) and forget cached ids that left it. */
  private readMembers(): Promise<void> {
    this.membersRead ??= this.redis
      .smembers(MEMBERS_KEY)
      .then((ids) => this.setMembers(ids))
      .catch(() => undefined)
      .finally(() => {
        this.membersRead = undefined;
      });
    return this.membersRead;
  }

  private setMembers(ids: string[]): void {
    this.members = new Set(ids);
    this.membersAtMs = Date.now();
    for (const id of this.cache.keys()) if (!this.members.has(id)) this.cache.delete(id);
    const now = Date.now();
    for (const [id, known] of this.lastKnown) {
      if (!this.members.has(id) && now - known.atMs >= this.ttlMs + this.heartbeatMs) this.lastKnown.delete(id);
    }
  }

  /** Every instance with a valid heartbeat, this one included. */
  async live(): Promise<InstanceInfo[]> {
    const ids = await this.redis.smembers(MEMBERS_KEY);
    if (ids.length === 0) return [this.self];
    const values = await this.redis.mget(ids.map(keyOf));
    const out: InstanceInfo[] = [];
    for (const raw of values) if (raw) out.push(JSON.parse(raw) as InstanceInfo);
    if (!out.some((i) => i.processId === this.self.processId)) out.push(this.self);
    return out;
  }

  /** Write the heartbeat now (also done every `heartbeatMs`). */
  async beat(): Promise<void> {
    await this.redis
      .multi()
      .set(keyOf(this.self.processId), JSON.stringify(this.self), 'PX', this.ttlMs)
      .sadd(MEMBERS_KEY, this.self.processId)
      .exec();
  }

  private async tick(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      await this.beat();
      await this.sweep();
    } catch (error) {
      this.log.warn('registry heartbeat failed; will retry', { error });
    } finally {
      this.beating = false;
    }
  }

  /**
   * Find members without a heartbeat (and Colyseus stats entries of processes
   * that never registered) and clean each up under a short lock so exactly one
   * peer does it.
   */
  private async sweep(): Promise<void> {
    const members = await this.redis.smembers(MEMBERS_KEY);
    this.setMembers(members);
    const statsIds = Object.keys(await this.redis.hgetall('roomcount'));
    const candidates = [...new Set([...members, ...statsIds])].filter((id) => id !== this.self.processId);
    if (candidates.length === 0) return;
    const alive = await this.redis.mget(candidates.map(keyOf));
    for (let i = 0; i < candidates.length; i++) {
      if (alive[i]) continue;
      const dead = candidates[i]!;
      const won = await this.redis.set(`arena:sweep:${dead}`, this.self.processId, 'PX', this.ttlMs, 'NX');
      if (won !== 'OK') continue;
      this.log.warn('instance stopped answering; removing its rooms', { deadProcessId: dead });
      for (const handler of this.deadListeners) {
        await handler(dead).catch((error: unknown) =>
          this.log.error('dead-instance clean-up step failed', { deadProcessId: dead, error }),
        );
      }
      await this.redis.srem(MEMBERS_KEY, dead);
      this.cache.delete(dead);
      this.members.delete(dead);
    }
  }
}
