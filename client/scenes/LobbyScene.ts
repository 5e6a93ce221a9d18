/**
 * The lobby: pick a name, then Quick Play or join a listed room. The arena
 * map idles behind the panel as a backdrop. Joining hands the live room to
 * GameScene; GameScene comes back here (with a message) when the room is gone.
 */
import Phaser from 'phaser';
import { ARENA_MAP } from '../../shared/map.ts';
import { NAME_STORAGE_KEY } from '../config.ts';
import { log } from '../log.ts';
import { inviteCodeFromHash } from '../../shared/invite.ts';
import { describeJoinError, type ArenaConnection, type ArenaRoom } from '../net/connection.ts';
import { createPrivateRoom, InviteFailed, joinInvite } from '../net/invites.ts';
import { spectateRoom, watchInvite } from '../net/spectate.ts';
import { watchCodeFromHash } from '../../shared/spectate.ts';
import { fetchBoard } from '../net/leaderboard.ts';
import { LobbyFeed } from '../net/lobby.ts';
import { drawMap } from '../render/mapView.ts';
import { COLORS, cssColor, playerColor } from '../render/palette.ts';
import { SceneKeys } from '../sceneKeys.ts';
import { setLobbyProbe } from '../testHook.ts';
import { uiRoot } from '../ui/dom.ts';
import { LeaderboardPanel } from '../ui/leaderboardPanel.ts';
import { LobbyView } from '../ui/lobbyView.ts';
import type { GameSceneData } from './GameScene.ts';

/** What GameScene passes back: why we are in the lobby again. */
export interface LobbySceneData {
  message?: string;
}

/** How often the lobby's leaderboard is read again, in milliseconds. */
const BOARD_REFRESH_MS = 30_000;

/** Backdrop pan speed, radians of the slow orbit per millisecond. */
const PAN_RATE = 0.00005;

/** The first scene: lobby UI over an idle view of the arena. */
export class LobbyScene extends Phaser.Scene {
  private view: LobbyView | undefined;
  private feed: LobbyFeed | undefined;
  private message: string | undefined;
  private joining = false;

  constructor(private readonly connection: ArenaConnection) {
    super(SceneKeys.Lobby);
  }

  init(data: LobbySceneData): void {
    this.message = data?.message;
    this.joining = false;
  }

  create(): void {
    this.cameras.main.setBackgroundColor(COLORS.background);
    drawMap(this, ARENA_MAP);
    this.fitBackdrop();
    this.scale.on(Phaser.Scale.Events.RESIZE, this.fitBackdrop, this);

    const watchCode = watchCodeFromHash(window.location.hash);
    const invited = watchCode ?? inviteCodeFromHash(window.location.hash);
    const view = new LobbyView(
      this.storedName(),
      {
        quickPlay: (name) => void this.join(name, async () => ({ room: await this.connection.quickPlay(name) })),
        join: (roomId, name) =>
          void this.join(name, async () => ({ room: await this.connection.joinRoom(roomId, name) })),
        createPrivate: (name) => void this.join(name, () => createPrivateRoom(this.connection, name)),
        joinInvite: (code, name) => void this.join(name, () => joinInvite(this.connection, code, name)),
        watch: (roomId, name) =>
          void this.join(name, async () => ({ room: await spectateRoom(this.connection, roomId) }), true),
        watchInvite: (code, name) => void this.join(name, () => watchInvite(this.connection, code), true),
        chat: (name, text) => void this.feed?.chat(name, text),
      },
      invited,
      watchCode !== undefined,
    );
    this.view = view;
    uiRoot().append(view.root);
    if (this.message) view.showError(this.message);
    view.focusName();

    view.setStatus('connecting…');
    this.feed = new LobbyFeed(this.connection, {
      rooms: (list) => {
        view.setRooms(list);
        view.setStatus(`${list.length} room${list.length === 1 ? '' : 's'} · live`);
      },
      chat: (message) => view.addChat(message, cssColor(playerColor(message.fromId, false))),
      notice: (notice) => view.chat.addNotice(notice.message),
      offline: (reason) => view.setStatus(reason),
    });
    void this.feed.open(view.name);
    this.time.addEvent({ delay: 1000, loop: true, callback: () => view.refreshTimes(Date.now()) });
    const board = new LeaderboardPanel((name) => fetchBoard(this.connection.serverUrl, name, 10), 'lobby-leaderboard');
    view.leaderboardSlot.append(board.root);
    void board.refresh();
    this.time.addEvent({ delay: BOARD_REFRESH_MS, loop: true, callback: () => void board.refresh() });

    setLobbyProbe({
      rooms: () =>
        (this.feed?.rooms ?? []).map((r) => ({ roomId: r.roomId, clients: r.clients, maxClients: r.maxClients })),
      error: () => view.root.querySelector('.lobby-error')?.textContent ?? '',
    });
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, this.teardown, this);
  }

  override update(time: number): void {
    // A slow drift over the map so the lobby does not look frozen.
    const cam = this.cameras.main;
    cam.centerOn(
      ARENA_MAP.widthPx / 2 + Math.cos(time * PAN_RATE) * 120,
      ARENA_MAP.heightPx / 2 + Math.sin(time * PAN_RATE * 1.3) * 70,
    );
  }

  /**
   * Join through `attempt`; a private room's code (when it gives one) goes on
   * to the game's invite box. `watching`: as a spectator, which needs no name
   * (a valid one is kept for stepping in).
   */
  private async join(
    rawName: string,
    attempt: () => Promise<{ room: ArenaRoom; code?: string }>,
    watching = false,
  ): Promise<void> {
    const view = this.view;
    if (!view || this.joining) return;
    const parsed = this.connection.validateName(rawName);
    if (!parsed.ok && !watching) {
      view.showError(capitalize(parsed.error));
      view.focusName();
      return;
    }
    this.joining = true;
    view.showError(null);
    view.setBusy(true);
    try {
      const { room, code } = await attempt();
      if (!this.sys.isActive()) {
        // The scene went away while we waited (page navigation); do not strand a seat.
        void room.leave();
        return;
      }
      if (parsed.ok) this.rememberName(parsed.value.name);
      const data: GameSceneData = {
        room,
        name: parsed.ok ? parsed.value.name : rawName.trim(),
        ...(code === undefined ? {} : { inviteCode: code }),
        ...(watching ? { spectating: true } : {}),
      };
      this.scene.start(SceneKeys.Game, data);
    } catch (error) {
      log.warn('join failed', { error: String(error) });
      this.joining = false;
      if (this.view !== view) return;
      view.setBusy(false);
      if (error instanceof InviteFailed) {
        // A dead link should not greet the next visit to the page again.
        const hash = window.location.hash;
        if (inviteCodeFromHash(hash) !== undefined || watchCodeFromHash(hash) !== undefined)
          window.history.replaceState(null, '', window.location.pathname + window.location.search);
        view.dropInvite(error.message);
      } else {
        view.showError(describeJoinError(error, this.connection.serverUrl));
      }
    }
  }

  private fitBackdrop(): void {
    const cam = this.cameras.main;
    const zoom = Math.max(this.scale.width / (ARENA_MAP.widthPx - 200), this.scale.height / (ARENA_MAP.heightPx - 120));
    cam.setZoom(zoom);
    cam.setAlpha(0.55);
  }

  private storedName(): string {
    try {
      return window.localStorage.getItem(NAME_STORAGE_KEY) ?? '';
    } catch {
      return '';
    }
  }

  private rememberName(name: string): void {
    try {
      window.localStorage.setItem(NAME_STORAGE_KEY, name);
    } catch {
      // Storage can be off (privacy mode); the name is just not remembered.
    }
  }

  private teardown(): void {
    this.scale.off(Phaser.Scale.Events.RESIZE, this.fitBackdrop, this);
    setLobbyProbe(null);
    void this.feed?.close();
    this.feed = undefined;
    this.view?.destroy();
    this.view = undefined;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
