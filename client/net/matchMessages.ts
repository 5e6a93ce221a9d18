/**
 * The match's server messages and where each goes: kills to the feed (and
 * the death card), chat and notices to the chat box, hit verdicts to our
 * shot prediction and a hit marker, the end of a round to the scoreboard
 * (and shots in flight are dropped), a saved round to the leaderboard panel.
 */
import {
  parseHit,
  ServerMessage,
  type ChatBroadcast,
  type KillEvent,
  type Notice,
  type RoundOverEvent,
} from '../../shared/messages.ts';
import { log } from '../log.ts';
import type { MatchRoster } from '../render/matchRoster.ts';
import { cssColor, playerColor } from '../render/palette.ts';
import type { ProjectileLayer } from '../render/projectiles.ts';
import type { MatchUi } from '../ui/matchUi.ts';
import type { ArenaRoom } from './connection.ts';
import type { Netcode } from './prediction.ts';

/** Where the messages go. */
export interface MatchParts {
  ui: MatchUi;
  roster: MatchRoster;
  net: Netcode;
  projectiles: ProjectileLayer;
}

/** Route the messages of `room` to `parts`; answers what stops it. */
export function listenToMatch(room: ArenaRoom, parts: MatchParts): Array<() => void> {
  const { ui, roster, net, projectiles } = parts;
  const colorOf = (sessionId: string): string => cssColor(playerColor(sessionId, sessionId === room.sessionId));
  return [
    room.onMessage(ServerMessage.Kill, (event: KillEvent) => ui.kill(event, room.sessionId, colorOf)),
    room.onMessage(ServerMessage.Chat, (message: ChatBroadcast) => ui.chat.addChat(message, colorOf(message.fromId))),
    room.onMessage(ServerMessage.Notice, (notice: Notice) => ui.chat.addNotice(notice.message)),
    // The server judged one of our shots a hit: the verdict on its prediction, and a hit marker on the victim.
    room.onMessage(ServerMessage.Hit, (payload: unknown) => {
      const hit = parseHit(payload);
      if (!hit.ok) {
        log.warn('ignored an invalid hit message', { error: hit.error });
        return;
      }
      net.shots.serverHit(hit.value.projectileId, hit.value.victimId);
      roster.hitMarker(hit.value, performance.now());
    }),
    room.onMessage(ServerMessage.LeaderboardSaved, () => ui.boardUpdated()),
    room.onMessage(ServerMessage.RoundOver, (event: RoundOverEvent) => {
      ui.roundOver(event);
      projectiles.clear();
      net.shots.clear();
    }),
  ];
}
