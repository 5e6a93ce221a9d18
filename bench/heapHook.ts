/**
 * Preloaded into a server by `npm run bench` (`node --expose-gc --import
 * ./bench/heapHook.ts`) to read its live heap exactly: on each SIGWINCH it runs
 * two full collections and appends `process.memoryUsage().heapUsed` (bytes)
 * as one line to `ARENA_HEAP_OUT`. The bench signals idle, then at half and at
 * full load, so the difference of the two loaded readings over the difference
 * in clients is the live heap each client holds, with no garbage in it (a
 * scraped heap figure is up to seconds of garbage old) and no code compiled
 * once under load. Used for this server and the stock room alike.
 */
import { appendFileSync } from 'node:fs';

const out = process.env.ARENA_HEAP_OUT;
const collect = (globalThis as { gc?: () => void }).gc;
if (out) {
  if (!collect) throw new Error('bench/heapHook.ts needs node --expose-gc');
  process.on('SIGWINCH', () => {
    collect();
    collect();
    appendFileSync(out, `${process.memoryUsage().heapUsed}\n`);
  });
}
