/**
 * The project's one small seeded generator of uniform floats (mulberry32), shared by tests,
 * synthetic data, CPD multistart and model training so every seeded run is reproducible.
 * The sample generator keeps its own richer generator (`src/sample/random.ts`).
 * @module
 */

/**
 * Create a seeded generator of uniform floats in [0, 1) (mulberry32).
 *
 * Every value is an exact multiple of 2⁻³², so `Math.floor(random() * 2 ** 32)` recovers
 * the underlying 32-bit draw.
 *
 * @param seed Any integer (taken modulo 2³²); equal seeds give equal sequences.
 * @returns A function that returns the next draw on each call.
 * @example
 * ```ts
 * import { seededRandom } from "./random.ts";
 * const random = seededRandom(7);
 * const first = random();
 * console.assert(first >= 0 && first < 1);
 * console.assert(seededRandom(7)() === first);
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
