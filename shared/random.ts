/**
 * The one seeded pseudo-random generator (mulberry32) of the project: bots,
 * the bench's network impairment and the tests draw from it, so a seed
 * replays the same run. Not for anything secret.
 */

/** A generator of numbers in [0, 1), the same sequence for the same `seed` (any 32-bit integer). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
