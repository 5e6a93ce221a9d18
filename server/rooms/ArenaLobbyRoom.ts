/**
 * The `lobby` room: Colyseus's LobbyRoom (live room listing across every
 * instance, through the shared driver and the `$lobby` channel) plus a lobby
 * chat published on presence, so a message reaches lobby clients on every
 * instance, whichever lobby room they sit in.
 */
import { LobbyRoom, type Client } from '@colyseus/core';
import { CHAT_BURST, CHAT_REFILL_MS } from '../../shared/constants.ts';
import { ClientMessage, parseChat, parseJoinOptions, ServerMessage, type ChatBroadcast, type Notice } from '../../shared/messages.ts';
import { ChatLimiter } from '../game/chatLimiter.ts';

/** Presence channel every lobby room on every instance listens to. */
export const LOBBY_CHAT_CHANNEL = 'arena:lobby-chat';

export class ArenaLobbyRoom extends LobbyRoom {
  private readonly chat = new ChatLimiter(CHAT_BURST, CHAT_REFILL_MS);
  private readonly names = new Map<string, string>();
  private readonly relay = (message: ChatBroadcast): void => this.broadcast(ServerMessage.Chat, message);

  override async onCreate(options: unknown): Promise<void> {
    await super.onCreate(options);
    this.maxClients = 500;
    this.maxMessagesPerSecond = 20;
    this.onMessage(ClientMessage.Chat, (client, payload) => this.handleChat(client, payload));
    await this.presence.subscribe(LOBBY_CHAT_CHANNEL, this.relay);
  }

  override onJoin(client: Client, options: unknown): void {
    super.onJoin(client, (options ?? {}) as never);
    const parsed = parseJoinOptions(options);
    this.names.set(client.sessionId, parsed.ok ? parsed.value.name : 'guest');
  }

  override onLeave(client: Client): void {
    super.onLeave(client);
    this.names.delete(client.sessionId);
    this.chat.forget(client.sessionId);
  }

  override onDispose(): void {
    super.onDispose();
    void this.presence.unsubscribe(LOBBY_CHAT_CHANNEL, this.relay);
  }

  private handleChat(client: Client, payload: unknown): void {
    const parsed = parseChat(payload);
    const notify = (notice: Notice): void => client.send(ServerMessage.Notice, notice);
    if (!parsed.ok) return notify({ code: 'chat_invalid', message: parsed.error });
    if (!this.chat.tryTake(client.sessionId, this.clock.currentTime)) {
      return notify({ code: 'chat_rate', message: 'you are sending chat messages too fast' });
    }
    const message: ChatBroadcast = { fromId: client.sessionId, name: this.names.get(client.sessionId) ?? 'guest', text: parsed.value.text };
    void this.presence.publish(LOBBY_CHAT_CHANNEL, message);
  }
}
