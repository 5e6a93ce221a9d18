/**
 * What bench/cluster.ts reads off a running cluster: Redis traffic, the
 * forwarded connections each instance reports, and context switches.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Instance, RedisServer } from '../harness/cluster.ts';

/** PUBLISH calls and bytes in + out since Redis started. */
export async function redisInfo(redis: RedisServer): Promise<{ publishes: number; bytes: number }> {
  const stats = await redis.client.info('stats');
  const commands = await redis.client.info('commandstats');
  const field = (text: string, name: string): number => Number(new RegExp(`${name}:(\\d+)`, 'u').exec(text)?.[1] ?? 0);
  const publishes = Number(/cmdstat_publish:calls=(\d+)/u.exec(commands)?.[1] ?? 0);
  return { publishes, bytes: field(stats, 'total_net_input_bytes') + field(stats, 'total_net_output_bytes') };
}

/** Edge sockets held for rooms owned elsewhere, over every instance (from `/metrics`). */
export async function scrapeForwarded(instances: Instance[]): Promise<number> {
  let total = 0;
  for (const instance of instances) {
    const text = await (await fetch(`${instance.url}/metrics`)).text();
    total += Number(/^arena_forwarded_connections_active (\d+)/mu.exec(text)?.[1] ?? 0);
  }
  return total;
}

/** Voluntary + involuntary context switches of every thread of `pid`, from /proc. */
export function contextSwitches(pid: number): number {
  let total = 0;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const task of tasks) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gmu)) total += Number(m[1]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total;
}
