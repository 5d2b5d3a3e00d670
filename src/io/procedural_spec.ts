/**
 * The description of a procedural EM volume (seed, level-0 shape and voxel size, chunks) and
 * its pyramid: parsed from `procedural://em?seed=1&shape=Z,Y,X&voxelNm=Z,Y,X[&chunks=Z,Y,X]`
 * or given as an object. Each level halves the finest axes until the voxels are isotropic,
 * then all axes, as a pyramid builder would.
 * @module
 */

/** What defines a procedural EM volume (z, y, x order throughout). */
export interface ProceduralEmOptions {
  /** `em` (default): the EM image; `em-labels`: the mitochondria mask of the same volume. */
  kind?: ProceduralKind;
  seed: number;
  /** Level-0 shape in voxels. */
  shape: number[];
  /** Level-0 voxel size in nanometers. */
  voxelNm: number[];
  /** Chunk shape at every level (clipped to the level's shape); default 64³. */
  chunks?: number[];
  /** Most levels, level 0 included; default: until one chunk holds the level (max 20). */
  maxLevels?: number;
}

/** One pyramid level of a procedural volume. */
export interface ProceduralLevel {
  shape: number[];
  chunks: number[];
  voxelNm: number[];
  /** Level-0 voxels per voxel of this level, per axis. */
  factors: number[];
}

/** A resolved procedural volume: options with defaults, and its levels. */
/** What a procedural location serves. */
export type ProceduralKind = "em" | "em-labels";

export interface ProceduralSpec {
  kind: ProceduralKind;
  seed: number;
  levels: ProceduralLevel[];
  /** Canonical `procedural://em?...` location (keys the byte counters). */
  location: string;
}

function triple(name: string, text: string | null): number[] {
  const values = (text ?? "").split(",").map(Number);
  if (values.length !== 3 || !values.every((v) => Number.isFinite(v) && v > 0)) {
    throw new TypeError(
      `Cannot open procedural volume: ${name}="${text}" is not three positive numbers z,y,x`,
    );
  }
  return values;
}

/**
 * Resolve a procedural volume from its location or options.
 * @param source `procedural://em?seed=…&shape=…&voxelNm=…` or the options
 * @returns the spec with every level
 * @throws {TypeError} for an unknown kind or a malformed parameter
 */
export function proceduralSpec(source: string | ProceduralEmOptions): ProceduralSpec {
  let options: ProceduralEmOptions;
  if (typeof source === "string") {
    const url = new URL(source);
    if (url.protocol !== "procedural:" || (url.hostname !== "em" && url.hostname !== "em-labels")) {
      throw new TypeError(
        `Cannot open "${source}": expected procedural://em?seed=…&shape=…&voxelNm=… (or procedural://em-labels?…)`,
      );
    }
    const seed = Number(url.searchParams.get("seed") ?? "1");
    if (!Number.isInteger(seed)) {
      throw new TypeError(`Cannot open "${source}": seed is not an integer`);
    }
    const chunks = url.searchParams.get("chunks");
    const maxLevels = url.searchParams.get("levels");
    options = {
      kind: url.hostname as ProceduralKind,
      seed,
      shape: triple("shape", url.searchParams.get("shape")).map(Math.round),
      voxelNm: triple("voxelNm", url.searchParams.get("voxelNm")),
      ...(chunks ? { chunks: triple("chunks", chunks).map(Math.round) } : {}),
      ...(maxLevels ? { maxLevels: Number(maxLevels) } : {}),
    };
  } else {
    options = source;
  }
  const chunks = options.chunks ?? [64, 64, 64];
  const maxLevels = Math.max(1, Math.min(20, options.maxLevels ?? 20));
  const levels: ProceduralLevel[] = [];
  let factors = [1, 1, 1];
  for (let level = 0; level < maxLevels; level++) {
    const shape = options.shape.map((n, a) => Math.ceil(n / factors[a]!));
    const voxelNm = options.voxelNm.map((s, a) => s * factors[a]!);
    levels.push({ shape, chunks: chunks.map((c, a) => Math.min(c, shape[a]!)), voxelNm, factors });
    if (shape.every((n, a) => n <= chunks[a]!)) break;
    const coarsest = Math.max(...voxelNm);
    const anisotropic = voxelNm.some((s) => s * 1.5 < coarsest);
    factors = factors.map((f, a) =>
      shape[a]! > 1 && (!anisotropic || voxelNm[a]! * 1.5 < coarsest) ? f * 2 : f
    );
  }
  const join = (values: number[]) => values.join(",");
  const kind = options.kind ?? "em";
  const location = `procedural://${kind}?seed=${options.seed}&shape=${join(options.shape)}` +
    `&voxelNm=${join(options.voxelNm)}&chunks=${join(chunks)}&levels=${levels.length}`;
  return { kind, seed: options.seed, levels, location };
}
