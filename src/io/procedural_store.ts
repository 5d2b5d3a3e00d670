/**
 * A read-only store whose OME-Zarr image is computed, never stored: an EM-like uint8 volume
 * defined by a seed and a size (`procedural://em?seed=1&shape=Z,Y,X&voxelNm=Z,Y,X`), with a
 * full NGFF 0.5 pyramid whose coarse levels are generated directly. A logically terabyte
 * dataset then opens on any machine, and the bytes served per level show what a job touched.
 * `procedural://em-labels?…` (same parameters) serves the volume's mitochondria mask as a
 * label image, the ground truth of the EM's dark ellipsoids.
 * @module
 */
import { arrayMetadata } from "./chunk_codec.ts";
import { renderEmBox, renderEmLabelBox } from "./procedural_em.ts";
import {
  type ProceduralEmOptions,
  type ProceduralSpec,
  proceduralSpec,
} from "./procedural_spec.ts";
import type { Store } from "./store.ts";

export type { ProceduralEmOptions, ProceduralLevel, ProceduralSpec } from "./procedural_spec.ts";

/** Chunk bytes served per level, per canonical location, in this thread. */
const served = new Map<string, number[]>();

/**
 * Bytes of chunks served per level (index = level) by every procedural store of this
 * location opened in this thread (Web Workers count their own).
 * @param source the location or options
 * @returns bytes per level
 */
export function proceduralBytesServed(source: string | ProceduralEmOptions): number[] {
  const spec = proceduralSpec(source);
  return [...(served.get(spec.location) ?? spec.levels.map(() => 0))];
}

/** Reset the byte counters of every procedural location in this thread. */
export function resetProceduralCounters(): void {
  served.clear();
}

const encoder = new TextEncoder();

/**
 * The store of a procedural EM image.
 * @example
 * ```ts
 * import { ProceduralStore } from "./procedural_store.ts";
 * const store = new ProceduralStore("procedural://em?seed=1&shape=4000,16000,16000&voxelNm=20,5,5");
 * console.log(store.spec.levels.length > 5); // true
 * ```
 */
export class ProceduralStore implements Store {
  readonly writable = false;
  /** The volume and its levels. */
  readonly spec: ProceduralSpec;
  readonly #documents = new Map<string, Uint8Array>();
  readonly #counts: number[];

  /**
   * @param source `procedural://em?seed=…&shape=z,y,x&voxelNm=z,y,x[&chunks=z,y,x]` or options
   * @throws {TypeError} for a malformed location
   */
  constructor(source: string | ProceduralEmOptions) {
    this.spec = proceduralSpec(source);
    let counts = served.get(this.spec.location);
    if (!counts) {
      counts = this.spec.levels.map(() => 0);
      served.set(this.spec.location, counts);
    }
    this.#counts = counts;
    this.#buildDocuments();
  }

  get description(): string {
    return this.spec.location;
  }

  /** Bytes of chunks served per level so far (shared by stores of the same location). */
  get bytesServed(): readonly number[] {
    return this.#counts;
  }

  get(key: `/${string}`, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined> {
    options?.signal?.throwIfAborted();
    const document = this.#documents.get(key);
    if (document) return Promise.resolve(document);
    const match = /^\/(\d+)\/c\/(\d+)\/(\d+)\/(\d+)$/.exec(key);
    const level = match ? Number(match[1]) : -1;
    const info = this.spec.levels[level];
    if (!match || !info) return Promise.resolve(undefined);
    const index = [Number(match[2]), Number(match[3]), Number(match[4])];
    if (index.some((c, a) => c * info.chunks[a]! >= info.shape[a]!)) {
      return Promise.resolve(undefined);
    }
    // Zarr stores edge chunks whole: the field simply continues past the edge.
    const start = index.map((c, a) => c * info.chunks[a]!);
    const stop = start.map((s, a) => s + info.chunks[a]!);
    const bytes = this.spec.kind === "em-labels"
      ? renderEmLabelBox(this.spec.seed, info.voxelNm, { start, stop })
      : renderEmBox(this.spec.seed, level, info.voxelNm, { start, stop });
    this.#counts[level] = (this.#counts[level] ?? 0) + bytes.byteLength;
    return Promise.resolve(bytes);
  }

  #buildDocuments(): void {
    const axes = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" }));
    const level0 = this.spec.levels[0]!.voxelNm;
    const datasets = this.spec.levels.map((level, index) => {
      const layout = {
        zarrFormat: 3 as const,
        shape: level.shape,
        chunks: level.chunks,
        dtype: "uint8" as const,
        codec: "raw" as const,
        level: 0,
        fillValue: 0,
      };
      const { document } = arrayMetadata(layout, ["z", "y", "x"]);
      this.#documents.set(`/${index}/zarr.json`, encoder.encode(JSON.stringify(document)));
      return {
        path: String(index),
        coordinateTransformations: [
          { type: "scale", scale: level.voxelNm },
          { type: "translation", translation: level.voxelNm.map((s, a) => (s - level0[a]!) / 2) },
        ],
      };
    });
    const labels = this.spec.kind === "em-labels";
    const multiscale = labels
      ? { name: "procedural EM mitochondria", axes, datasets, type: "mode" }
      : { name: "procedural EM", axes, datasets, type: "mean" };
    const group = {
      zarr_format: 3,
      node_type: "group",
      attributes: {
        ome: {
          version: "0.5",
          multiscales: [multiscale],
          ...(labels ? { "image-label": { version: "0.5" } } : {}),
        },
      },
    };
    this.#documents.set("/zarr.json", encoder.encode(JSON.stringify(group)));
  }
}
