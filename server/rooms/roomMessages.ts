/**
 * The arena room's client messages: chat, from players and spectators alike
 * (validated and rate-limited by the room's policing, see
 * `clientPolicing.ts`), and a spectator's request to step in (see
 * `spectators.ts`). A message type the room has no handler for is an offence.
 */
import type { Client, Room } from '@colyseus/core';
import { ClientMessage, ServerMessage, type ChatBroadcast } from '../../shared/messages.ts';
import { SpectateMessage } from '../../shared/spectate.ts';
import type { ArenaState } from '../../shared/state.ts';
import type { Logger } from '../logger.ts';
import type { ArenaSeats } from './arenaSeats.ts';
import type { ClientPolicing } from './clientPolicing.ts';
import { SPECTATOR_CHAT_NAME, stepIn, type StepInRoom } from './spectators.ts';

/** What the handlers need of their room. */
export interface MessageRoom {
  readonly players: ArenaState['players'];
  readonly seats: ArenaSeats;
  readonly police: ClientPolicing;
  readonly log: Logger;
  /** Put a player in the match for `sessionId`; answers the name it got (look-alikes get a number). */
  addPlayer(sessionId: string, name: string, identity: string | undefined): string;
  /** A spectator took a player seat: the room's lock and listing follow. */
  seatsChanged(): void;
}

/** Handle the client messages of `room`. */
export function listenToClients(room: Room, host: MessageRoom): void {
  const { seats, players } = host;
  const stepInto: StepInRoom = {
    spectators: seats.spectators,
    maxPlayers: seats.maxPlayers,
    // Players restored from a hand-off hold their seats until they arrive, however old their reservation.
    playerSeatsTaken: () => Math.max(seats.taken(), players.size),
    addPlayer: (sessionId, name, identity) => host.addPlayer(sessionId, name, identity),
  };
  room.onMessage(ClientMessage.Chat, (client, payload) => onChat(room, host, client, payload));
  room.onMessage(SpectateMessage.StepIn, (client, payload) => onStepIn(host, stepInto, client, payload));
  room.onMessage('*', (client, type) => host.police.unknownMessage(client, type));
}

/** A chat line from `client`: sent to everyone under the sender's name, unless the policing refuses it. */
function onChat(room: Room, host: MessageRoom, client: Client, payload: unknown): void {
  const text = host.police.acceptChat(client, payload);
  if (text === undefined) return;
  // Spectators have no name of their own: they talk as "Spectator" (same limits as players).
  const name =
    host.players.get(client.sessionId)?.name ??
    (host.seats.spectators.has(client.sessionId) ? SPECTATOR_CHAT_NAME : undefined);
  if (name === undefined) return;
  room.broadcast(ServerMessage.Chat, { fromId: client.sessionId, name, text } satisfies ChatBroadcast);
}

/** A spectator asks for a player seat: it is answered either way, and an invalid request is a strike. */
function onStepIn(host: MessageRoom, room: StepInRoom, client: Client, payload: unknown): void {
  const result = stepIn(room, client.sessionId, payload);
  if (!result) {
    host.police.strike(client, { offence: 'bad_message', detail: 'stepIn needs a valid name' });
    return;
  }
  client.send(SpectateMessage.StepInResult, result);
  if (!result.ok) return;
  host.log.info('spectator stepped in', { sessionId: client.sessionId, name: result.name });
  host.seatsChanged();
}
