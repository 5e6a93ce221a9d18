/**
 * The `lobby` room: Colyseus's LobbyRoom (live room listing across every
 * instance, through the shared driver and the `$lobby` channel) plus a lobby
 * chat published on presence, so a message reaches lobby clients on every
 * instance, whichever lobby room they sit in.
 *
 * Abuse is bounded like in the arena: bad or too fast chat earns strikes and
 * a client out of strikes is disconnected (close code 4400); one client
 * address holds at most `maxSessionsPerAddress` sessions in a lobby room; and
 * a name that looks like another's in the room gets a number.
 */
import { LobbyRoom, ServerError, type AuthContext, type Client } from '@colyseus/core';
import { ClientMessage, parseJoinOptions, ServerMessage, type ChatBroadcast } from '../../shared/messages.ts';
import { nameKey, uniqueName } from '../../shared/names.ts';
import { CLIENT_ADDRESS_HEADER, isLoopback } from '../limits/clientAddress.ts';
import { ClientPolicing } from './clientPolicing.ts';

/** Presence channel every lobby room on every instance listens to. */
export const LOBBY_CHAT_CHANNEL = 'arena:lobby-chat';

/** Options the server passes when it defines the lobby (not client-controlled). */
export interface LobbyRoomOptions {
  /** Sessions one client address may hold in one lobby room; 0: no cap. */
  maxSessionsPerAddress?: number;
}

export class ArenaLobbyRoom extends LobbyRoom {
  private readonly names = new Map<string, string>();
  /** Strikes, cut-offs and the chat rate, as in the arena (see `clientPolicing.ts`). */
  private readonly police = new ClientPolicing(() => this.clock.currentTime);
  /** Open sessions per client address, and each session's address. */
  private readonly perAddress = new Map<string, number>();
  private readonly addressOf = new Map<string, string>();
  private maxSessionsPerAddress = 0;
  private readonly relay = (message: ChatBroadcast): void => this.broadcast(ServerMessage.Chat, message);

  override async onCreate(options: LobbyRoomOptions): Promise<void> {
    await super.onCreate(options);
    this.maxClients = 500;
    this.maxMessagesPerSecond = 20;
    this.maxSessionsPerAddress = options.maxSessionsPerAddress ?? 0;
    this.onMessage(ClientMessage.Chat, (client, payload) => this.handleChat(client, payload));
    await this.presence.subscribe(LOBBY_CHAT_CHANNEL, this.relay);
  }

  /** Refuse a session past the per-address cap (the address the connection guard resolved). */
  override onAuth(_client: Client, _options: unknown, context: AuthContext): { address: string } {
    const address = context.headers.get(CLIENT_ADDRESS_HEADER) ?? context.ip ?? 'unknown';
    if (
      this.maxSessionsPerAddress > 0 &&
      !isLoopback(address) &&
      (this.perAddress.get(address) ?? 0) >= this.maxSessionsPerAddress
    ) {
      throw new ServerError(429, `too many lobby sessions from your address (at most ${this.maxSessionsPerAddress})`);
    }
    return { address };
  }

  override onJoin(client: Client, options: unknown): void {
    super.onJoin(client, (options ?? {}) as never);
    const address = (client.auth as { address?: string } | undefined)?.address ?? 'unknown';
    this.addressOf.set(client.sessionId, address);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    const parsed = parseJoinOptions(options);
    const taken = new Set([...this.names.values()].map(nameKey));
    this.names.set(
      client.sessionId,
      uniqueName(parsed.ok ? parsed.value.name : 'guest', (key) => taken.has(key)),
    );
  }

  override onLeave(client: Client): void {
    super.onLeave(client);
    this.names.delete(client.sessionId);
    this.police.forget(client.sessionId);
    const address = this.addressOf.get(client.sessionId);
    this.addressOf.delete(client.sessionId);
    if (address !== undefined) {
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    }
  }

  override onDispose(): void {
    super.onDispose();
    void this.presence.unsubscribe(LOBBY_CHAT_CHANNEL, this.relay);
  }

  private handleChat(client: Client, payload: unknown): void {
    const text = this.police.acceptChat(client, payload);
    if (text === undefined) return;
    const message: ChatBroadcast = {
      fromId: client.sessionId,
      name: this.names.get(client.sessionId) ?? 'guest',
      text,
    };
    void this.presence.publish(LOBBY_CHAT_CHANNEL, message);
  }
}
