/**
 * Page-level settings read once from the URL.
 */

/**
 * The game server's base URL: the page's own origin (the server serves the
 * client), unless `?server=http://host:port` points elsewhere, e.g. a client
 * on the Vite dev server talking to a remote instance.
 */
export function serverUrl(location: Location = window.location): string {
  const override = new URLSearchParams(location.search).get('server');
  if (override) {
    try {
      const url = new URL(override, location.href);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin + url.pathname.replace(/\/+$/u, '');
    } catch {
      // A malformed override falls through to the page origin rather than breaking the page.
    }
  }
  return location.origin;
}

/** Where the last name the player used is remembered between visits. */
export const NAME_STORAGE_KEY = 'arena.name';

/** Renderer choice: `?renderer=canvas` or `?renderer=webgl` forces one (a workaround for a broken GPU driver); otherwise automatic. */
export function rendererPreference(location: Location = window.location): 'auto' | 'canvas' | 'webgl' {
  const value = new URLSearchParams(location.search).get('renderer');
  return value === 'canvas' || value === 'webgl' ? value : 'auto';
}

const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render driver/iu;

/**
 * True when WebGL exists but is emulated on the CPU (SwiftShader, llvmpipe:
 * no GPU, a blocklisted driver, headless Chromium with --disable-gpu). Such
 * WebGL runs this game at a fraction of the frame rate Canvas 2D reaches on
 * the same machine, so the automatic choice should skip it.
 */
export function webglIsSoftware(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return SOFTWARE_GL.test(renderer);
  } catch {
    return false;
  }
}
