/**
 * Preloaded into the server by `npm run bench -- --profile`
 * (`node --import ./bench/profileHook.ts`): the first SIGWINCH (ignored by default, and not one of the signals Colyseus shuts down on) starts the V8
 * CPU profiler through the in-process inspector, the second stops it and
 * writes the profile to `ARENA_PROFILE_OUT`, so the profile covers exactly
 * the bench's measured window and none of start-up (module compilation
 * would otherwise dominate it).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.ARENA_PROFILE_OUT;
if (out) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      // Written aside and renamed, so the bench never reads half a file.
      writeFileSync(`${out}.part`, JSON.stringify(result.profile));
      renameSync(`${out}.part`, out);
    });
  });
}
