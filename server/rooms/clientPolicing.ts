/**
 * A room's policing of its clients, one policy for the arena and the lobby:
 * every offence (a bad frame, message, input or chat line, chat too fast)
 * is told to the client as a notice and counted; a client that runs out of
 * strikes (see `misbehaviour.ts`) is cut off with {@link ArenaCloseCode.Misbehaviour}
 * and its later frames are dropped unread. Chat goes through here too:
 * validated, and rate-limited per sender by the shared token bucket.
 */
import type { Client } from '@colyseus/core';
import { CHAT_BURST, CHAT_REFILL_MS } from '../../shared/constants.ts';
import { sanitizeInput, type InputFrame } from '../../shared/input.ts';
import { ArenaCloseCode, parseChat, ServerMessage, type Notice } from '../../shared/messages.ts';
import { ChatLimiter } from '../game/chatLimiter.ts';
import type { Logger } from '../logger.ts';
import { closeReason, StrikeCounter, type Fault } from './misbehaviour.ts';

/** Frames (inputs, chat, pings) a client may send per second before Colyseus cuts it off as a flood. */
export const MAX_FRAMES_PER_SECOND = 120;

export class ClientPolicing {
  private readonly strikes = new StrikeCounter();
  /** Clients cut off for misbehaviour; their seats are not held. */
  private readonly cutOff = new Set<string>();
  private readonly chat = new ChatLimiter(CHAT_BURST, CHAT_REFILL_MS);

  /**
   * @param nowMs the room's clock, in ms (strikes and chat tokens age by it)
   * @param log where cut-offs are logged, when the room has a logger yet
   */
  constructor(
    private readonly nowMs: () => number,
    private readonly log: () => Logger | undefined = () => undefined,
  ) {}

  /** True once `client` has been cut off: what it still sends is dropped unread. */
  isCutOff(client: Client): boolean {
    return this.cutOff.has(client.sessionId);
  }

  /** Tell the client what was wrong, and cut it off once it has run out of strikes. */
  strike(client: Client, { offence, detail }: Fault): void {
    if (this.cutOff.has(client.sessionId)) return;
    const notice: Notice = { code: offence, message: detail };
    client.send(ServerMessage.Notice, notice);
    if (!this.strikes.hit(client.sessionId, offence, this.nowMs())) return;
    this.log()?.warn('disconnecting a misbehaving client', {
      sessionId: client.sessionId,
      offence,
      detail,
      closeCode: ArenaCloseCode.Misbehaviour,
    });
    this.cutOff.add(client.sessionId);
    client.leave(ArenaCloseCode.Misbehaviour, closeReason(offence, detail));
  }

  /** The text of a chat message `client` may send now; undefined (and a strike) when invalid or too fast. */
  acceptChat(client: Client, payload: unknown): string | undefined {
    const parsed = parseChat(payload);
    if (!parsed.ok) {
      this.strike(client, { offence: 'chat_invalid', detail: parsed.error });
      return undefined;
    }
    if (!this.chat.tryTake(client.sessionId, this.nowMs())) {
      this.strike(client, { offence: 'chat_rate', detail: 'you are sending chat messages too fast' });
      return undefined;
    }
    return parsed.value.text;
  }

  /** A message type the room has no handler for: no honest client of this build sends one. */
  unknownMessage(client: Client, type: unknown): void {
    this.strike(client, { offence: 'bad_message', detail: `unknown message type "${String(type).slice(0, 40)}"` });
  }

  /**
   * An input as it is decoded, from `sender` (the client whose frame is being
   * dispatched): made legal whatever it holds, and one that needed it came
   * from no honest controller. A spectator sends none at all.
   */
  checkInput(sender: Client | undefined, frame: InputFrame, isSpectator: (sessionId: string) => boolean): void {
    if (sender && isSpectator(sender.sessionId))
      this.strike(sender, { offence: 'bad_input', detail: 'spectators send no inputs; step in to play' });
    else if (!sanitizeInput(frame) && sender)
      this.strike(sender, { offence: 'bad_input', detail: 'input values out of range' });
  }

  /** Forget a client that left. */
  forget(sessionId: string): void {
    this.strikes.forget(sessionId);
    this.cutOff.delete(sessionId);
    this.chat.forget(sessionId);
  }
}
