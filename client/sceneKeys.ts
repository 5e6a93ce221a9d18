/**
 * Phaser scene keys, apart from the scenes themselves so each scene can start
 * the other without the two modules importing each other.
 */
export const SceneKeys = {
  Lobby: 'lobby',
  Game: 'game',
} as const;
