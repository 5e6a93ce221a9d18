/**
 * Where an invite code leads: `arena:invite:<code>` → roomId in presence
 * (Redis in a cluster, so a lookup on any instance finds a room on any other).
 * The room owns its entry: it writes it on create, refreshes it while it
 * lives and removes it on dispose; an instance that dies leaves an entry that
 * expires within {@link INVITE_TTL_S}.
 */
import { randomBytes } from 'node:crypto';
import { ServerError, type Presence, type Room } from '@colyseus/core';
import { makeInviteCode, parseInviteCode } from '../../shared/invite.ts';
import type { Logger } from '../logger.ts';

/** Presence key prefix of invite entries. */
export const INVITE_KEY_PREFIX = 'arena:invite:';
/** Lifetime of an entry not refreshed (its room's instance died), in seconds. */
export const INVITE_TTL_S = 120;
/** How often a live room refreshes its entry, in milliseconds. */
export const INVITE_REFRESH_MS = 30_000;

/** A new invite code from the process's CSPRNG (65 bits, see `shared/invite.ts`). */
export function newInviteCode(): string {
  return makeInviteCode((count) => randomBytes(count));
}

/** The roomId `code` leads to, or undefined when no live room has it. `code` must already be parsed. */
export async function lookUpInvite(presence: Presence, code: string): Promise<string | undefined> {
  const roomId: unknown = await presence.get(`${INVITE_KEY_PREFIX}${code}`);
  return typeof roomId === 'string' && roomId.length > 0 ? roomId : undefined;
}

/** A private room's entry, kept by the room. */
export class InviteListing {
  constructor(
    private readonly presence: Presence,
    readonly code: string,
    private readonly roomId: string,
    private readonly log: Logger,
  ) {}

  /** Write (or refresh) the entry; a failure is logged and retried at the next refresh. */
  async publish(): Promise<void> {
    try {
      await this.presence.setex(`${INVITE_KEY_PREFIX}${this.code}`, this.roomId, INVITE_TTL_S);
    } catch (error) {
      this.log.warn('invite entry not written', { error });
    }
  }

  /** Remove the entry, unless a continuation room (a hand-off) has taken the code over. */
  async withdraw(): Promise<void> {
    try {
      const key = `${INVITE_KEY_PREFIX}${this.code}`;
      if ((await this.presence.get(key)) === this.roomId) await this.presence.del(key);
    } catch (error) {
      this.log.warn('invite entry not removed; it expires on its own', { error, ttlS: INVITE_TTL_S });
    }
  }
}

/**
 * Make `room` private under the invite code `raw` (the server's own create
 * option, set by `POST /invites`): unlisted, never picked by Quick Play,
 * reachable only through its code. Its entry is written now and refreshed
 * every {@link INVITE_REFRESH_MS} while the room lives; the room withdraws it
 * on dispose. Throws a {@link ServerError} (400) for a malformed code.
 */
export async function openInvite(room: Room, raw: unknown, log: Logger): Promise<InviteListing> {
  const parsed = parseInviteCode(raw);
  if (!parsed.ok) throw new ServerError(400, parsed.error);
  await room.setPrivate(true);
  const invite = new InviteListing(room.presence, parsed.value, room.roomId, log);
  await invite.publish();
  room.clock.setInterval(() => void invite.publish(), INVITE_REFRESH_MS);
  return invite;
}
