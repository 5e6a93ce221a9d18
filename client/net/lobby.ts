/**
 * The live room list (and lobby chat) from the `lobby` room. Colyseus's
 * LobbyRoom protocol: `rooms` carries the whole list on join, then `+`
 * [roomId, listing] adds or updates one room and `-` roomId removes one.
 */
import type { Room } from '@colyseus/sdk';
import {
  ClientMessage,
  ServerMessage,
  type ArenaMetadata,
  type ChatBroadcast,
  type Notice,
} from '../../shared/messages.ts';
import { log } from '../log.ts';
import type { ArenaConnection } from './connection.ts';

/** Waits before each attempt to rejoin a lobby that closed under us, in milliseconds. */
const LOBBY_REJOIN_DELAYS_MS = [250, 1000, 3000];

/** One arena room as the lobby lists it. */
export interface ArenaListing {
  roomId: string;
  clients: number;
  maxClients: number;
  locked: boolean;
  metadata: ArenaMetadata | undefined;
}

/** Callbacks a lobby view supplies. */
export interface LobbyFeedEvents {
  /** The list changed (any add, update or removal). */
  rooms(list: readonly ArenaListing[]): void;
  chat(message: ChatBroadcast): void;
  notice(notice: Notice): void;
  /** The lobby connection failed or closed; the list is stale. */
  offline(reason: string): void;
}

/** Turn one untrusted listing from the wire into an {@link ArenaListing}, or null. */
export function toListing(raw: unknown): ArenaListing | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.roomId !== 'string') return null;
  if (r.name !== undefined && r.name !== 'arena') return null;
  const meta = r.metadata as Partial<ArenaMetadata> | undefined;
  const clients = typeof r.clients === 'number' ? r.clients : 0;
  const maxClients = typeof r.maxClients === 'number' ? r.maxClients : 0;
  const count = (value: unknown, fallback: number): number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
  const metadata =
    meta && typeof meta.phaseEndsAtEpochMs === 'number'
      ? {
          mapId: String(meta.mapId ?? ''),
          round: Number(meta.round ?? 0),
          phase: Number(meta.phase ?? 0),
          phaseEndsAtEpochMs: meta.phaseEndsAtEpochMs,
          // A server without spectators counts players as clients.
          players: count(meta.players, clients),
          maxPlayers: count(meta.maxPlayers, maxClients),
          spectators: count(meta.spectators, 0),
          maxSpectators: count(meta.maxSpectators, 0),
        }
      : undefined;
  return {
    roomId: r.roomId,
    clients,
    maxClients,
    locked: r.locked === true,
    metadata,
  };
}

/** One lobby membership: keeps the arena room list current and carries lobby chat. */
export class LobbyFeed {
  private room: Room | undefined;
  private joinedName = '';
  private closed = false;
  private readonly listings = new Map<string, ArenaListing>();

  constructor(
    private readonly connection: ArenaConnection,
    private readonly events: LobbyFeedEvents,
  ) {}

  /** Current list, fullest rooms first so quick play's choice is on top. */
  get rooms(): ArenaListing[] {
    return [...this.listings.values()].sort((a, b) => b.clients - a.clients || a.roomId.localeCompare(b.roomId));
  }

  /** Join the lobby room; failures are reported through `offline`, never thrown. */
  async open(name: string): Promise<void> {
    try {
      const room = await this.connection.joinLobby(name);
      if (this.closed) {
        void room.leave();
        return;
      }
      this.room = room;
      this.joinedName = name;
      this.wire(room);
    } catch (error) {
      log.warn('lobby unavailable', { error: String(error) });
      this.events.offline('Room list unavailable: cannot reach the lobby.');
    }
  }

  /**
   * Send a lobby chat line under `name`. The lobby learns our name when we
   * join, so after a rename we rejoin first.
   */
  async chat(name: string, text: string): Promise<void> {
    if (this.room && name !== this.joinedName) {
      const old = this.room;
      this.room = undefined;
      await old.leave().catch(() => undefined);
      this.listings.clear();
      await this.open(name);
    }
    this.room?.send(ClientMessage.Chat, { text });
  }

  /** Leave the lobby room; the feed is done after this. */
  async close(): Promise<void> {
    this.closed = true;
    const room = this.room;
    this.room = undefined;
    if (room) await room.leave().catch(() => undefined);
  }

  private wire(room: Room): void {
    room.onMessage('rooms', (list: unknown) => {
      this.listings.clear();
      if (Array.isArray(list)) {
        for (const raw of list) {
          const listing = toListing(raw);
          if (listing) this.listings.set(listing.roomId, listing);
        }
      }
      this.emitRooms();
    });
    room.onMessage('+', (entry: unknown) => {
      if (!Array.isArray(entry)) return;
      const listing = toListing(entry[1]);
      if (listing) this.listings.set(listing.roomId, listing);
      else if (typeof entry[0] === 'string') this.listings.delete(entry[0]);
      this.emitRooms();
    });
    room.onMessage('-', (roomId: unknown) => {
      if (typeof roomId === 'string' && this.listings.delete(roomId)) this.emitRooms();
    });
    room.onMessage(ServerMessage.Chat, (message: ChatBroadcast) => this.events.chat(message));
    room.onMessage(ServerMessage.Notice, (notice: Notice) => this.events.notice(notice));
    room.onLeave(() => {
      if (this.room !== room) return;
      this.room = undefined;
      if (!this.closed) void this.reopen();
    });
  }

  /**
   * The lobby's instance went away (drained or restarted): lobby rooms are
   * per instance, so join a fresh one, wherever the load balancer sends us.
   */
  private async reopen(): Promise<void> {
    for (const delayMs of LOBBY_REJOIN_DELAYS_MS) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.closed || this.room) return;
      try {
        const room = await this.connection.joinLobby(this.joinedName);
        if (this.closed) {
          void room.leave();
          return;
        }
        this.room = room;
        this.listings.clear();
        this.wire(room);
        return;
      } catch (error) {
        log.warn('lobby rejoin failed', { error: String(error) });
      }
    }
    this.events.offline('Lost the lobby connection; the room list is not updating.');
  }

  private emitRooms(): void {
    this.events.rooms(this.rooms);
  }
}
