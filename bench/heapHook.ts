/**
 * Preloaded into a server by `npm run bench` (`node --expose-gc --import
 * ./bench/heapHook.ts`) to read its live heap exactly: on each SIGWINCH it runs
 * two full collections and appends `process.memoryUsage().heapUsed` (bytes)
 * as one line to `ARENA_HEAP_OUT`. The bench signals once idle and once under
 * load, so the difference divided by the clients is the live heap each client
 * holds, with no garbage in it (a scraped heap figure is up to seconds of
 * garbage old). Used for this server and the stock room alike.
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
