/**
 * Vite builds the browser client from client/ into dist/client, which the
 * game server serves at `/`. In development (`npm run dev`) the Vite server
 * serves the client and forwards everything Colyseus handles to the game
 * server, so the page talks to one origin exactly as it does in production:
 *
 * - `/matchmake/...`: the SDK's HTTP matchmaking (join, create, reconnect);
 * - `/<processId>/<roomId>?...`: the room WebSocket the SDK opens with the
 *   seat reservation (see `buildEndpoint` in @colyseus/sdk's Client);
 * - `/healthz`, `/readyz`, `/metrics`: handy to check the server from the dev origin.
 */
import { defineConfig } from 'vite';

const GAME_SERVER = process.env.GAME_SERVER_URL ?? 'http://localhost:2567';

/**
 * Two path segments of id characters, then a query or the end: a room socket.
 * Ids never contain dots or `@`, so module URLs (`/scenes/GameScene.ts`,
 * `/@vite/client`, `/node_modules/.vite/...`) and Vite's own HMR socket (`/`)
 * never match.
 */
const ROOM_SOCKET = '^/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+(?:\\?.*)?$';

export default defineConfig({
  root: 'client',
  // Relative asset URLs, so the built page also works when served under a path prefix.
  base: './',
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    // No source maps in the shipped build: they would add ~12 MB (Phaser) to every image.
    sourcemap: false,
    // Phaser alone is ~1.2 MB minified; one cacheable chunk is expected, not a mistake.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    strictPort: false,
    proxy: {
      '/matchmake': { target: GAME_SERVER, changeOrigin: true },
      '/healthz': { target: GAME_SERVER, changeOrigin: true },
      '/readyz': { target: GAME_SERVER, changeOrigin: true },
      '/metrics': { target: GAME_SERVER, changeOrigin: true },
      [ROOM_SOCKET]: { target: GAME_SERVER, changeOrigin: true, ws: true },
    },
  },
});
