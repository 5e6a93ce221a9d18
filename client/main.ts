/**
 * Page entry: one Colyseus client for the page, one Phaser game with the
 * lobby and game scenes, and the read-only test hook.
 */
import Phaser from 'phaser';
import { rendererPreference, serverUrl, webglIsSoftware } from './config.ts';
import { log } from './log.ts';
import { ArenaConnection } from './net/connection.ts';
import { COLORS } from './render/palette.ts';
import { GameScene } from './scenes/GameScene.ts';
import { LobbyScene } from './scenes/LobbyScene.ts';
import { installTestHook } from './testHook.ts';

const connection = new ArenaConnection(serverUrl());
log.info('client starting', { server: connection.serverUrl });

/**
 * WebGL on a GPU; Canvas where WebGL is missing (Phaser.AUTO falls back by
 * itself) or only emulated on the CPU, where Canvas 2D is several times faster.
 */
function rendererType(): number {
  const preference = rendererPreference();
  if (preference === 'canvas') return Phaser.CANVAS;
  if (preference === 'webgl') return Phaser.WEBGL;
  return webglIsSoftware() ? Phaser.CANVAS : Phaser.AUTO;
}

const game = new Phaser.Game({
  type: rendererType(),
  parent: 'game',
  backgroundColor: COLORS.background,
  banner: false,
  antialias: true,
  scale: {
    mode: Phaser.Scale.RESIZE,
    width: '100%',
    height: '100%',
  },
  input: {
    // Keys are read from window events by Controls so chat fields keep working; Phaser handles the pointer only.
    keyboard: false,
    gamepad: false,
  },
  disableContextMenu: true,
  scene: [new LobbyScene(connection), new GameScene(connection)],
});

installTestHook(() =>
  game.renderer?.type === Phaser.WEBGL ? 'webgl' : game.renderer?.type === Phaser.CANVAS ? 'canvas' : 'none',
);
