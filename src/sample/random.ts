/**
 * A small seeded pseudo-random generator (sfc32 seeded through splitmix32) so a sample is
 * byte-identical for a given seed on every machine; with normal and Poisson draws.
 * @module
 */

/** Seeded random draws. */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in [low, high). */
  between(low: number, high: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Poisson with mean `lambda` (exact below 30, normal approximation above). */
  poisson(lambda: number): number;
  /** A uniformly random unit vector in 3-D. */
  unitVector(): [number, number, number];
}

/**
 * Create a seeded generator.
 *
 * @param seed Any integer; equal seeds give equal sequences.
 * @returns The generator.
 * @example
 * ```ts
 * const random = createRandom(7);
 * const x = random.uniform(); // same value on every run
 * ```
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const uniform = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) uniform();
  const normal = (): number => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return {
    uniform,
    between: (low, high) => low + (high - low) * uniform(),
    normal,
    poisson(lambda) {
      if (lambda <= 0) return 0;
      if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
      const limit = Math.exp(-lambda);
      let count = 0;
      let product = uniform();
      while (product > limit) {
        count++;
        product *= uniform();
      }
      return count;
    },
    unitVector() {
      const z = 2 * uniform() - 1;
      const angle = 2 * Math.PI * uniform();
      const r = Math.sqrt(1 - z * z);
      return [z, r * Math.sin(angle), r * Math.cos(angle)];
    },
  };
}
