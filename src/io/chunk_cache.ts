/**
 * Decoded chunks of compressed OME-Zarr inputs, kept per thread while chunk tasks run. A task's
 * haloed input box touches up to 27 chunks (3 along each axis whenever the halo is not zero),
 * and a compressed chunk cannot be decoded in part, so without a cache every chunk was fetched
 * and decoded by each of the up to 27 tasks whose boxes touch it: the σ = 2 Gaussian of a 256³
 * volume in 64³ chunks decoded 1,000 chunks for 64 (the README's benchmark table has the
 * figures). Neighbouring tasks that run on the same thread now decode a shared chunk once.
 *
 * The cache serves only region reads inside a task (see {@link enterChunkCache}, which
 * `executeTask` calls with the task's op and run), and it is emptied when a task of another op
 * or another run of the op starts: an op's inputs were written before it started and nothing
 * writes them while it runs. A chunk of a local file in clemreg's own layouts (whose file path
 * is known) is used again only while the file's inode, size and modification time are those it
 * was decoded from; chunks of other stores and codecs (S3, HTTP, blosc) are trusted for the run.
 * It holds at most `CLEMREG_CHUNK_CACHE_MB` MiB per thread (default 64; 0 turns it off), least
 * recently used chunks leaving first, and no chunk larger than an eighth of that.
 * @module
 */
import type { TypedArray } from "./types.ts";

/** Where a chunk comes from, for the cache. */
export interface ChunkSource {
  /** Unique among the chunks of every array (a file path, or store and key). */
  key: string;
  /**
   * The stored chunk's current version, which a cached copy must match (a local file's
   * identity); `undefined` when it is absent. Without it a cached copy is trusted for the run.
   */
  version?: () => string | undefined;
}

interface Entry {
  version: string | undefined;
  data: TypedArray;
}

const DEFAULT_BYTES = 64 * 2 ** 20;

function budgetFromEnv(): number {
  let text: string | undefined;
  try {
    text = Deno.env.get("CLEMREG_CHUNK_CACHE_MB");
  } catch {
    return DEFAULT_BYTES; // no permission to read the environment
  }
  if (text === undefined || text === "") return DEFAULT_BYTES;
  const mib = Number(text);
  if (!Number.isFinite(mib) || mib < 0) {
    throw new RangeError(
      `CLEMREG_CHUNK_CACHE_MB: expected a number of MiB (0 or more), got "${text}"`,
    );
  }
  return mib * 2 ** 20;
}

let budget: number | undefined;

/**
 * This thread's cache size in bytes, from `CLEMREG_CHUNK_CACHE_MB`.
 * @returns the budget
 * @throws {RangeError} when the variable is not a number of 0 or more
 */
export function chunkCacheBytes(): number {
  budget ??= budgetFromEnv();
  return budget;
}

/** Entries by key, least recently used first (a Map keeps insertion order). */
const entries = new Map<string, Entry>();
let used = 0;
let depth = 0;
let scope: string | undefined;
const stats = { hits: 0, misses: 0 };

/**
 * Region reads of this thread may use the cache until the matching {@link exitChunkCache}.
 * @param runScope the op and run whose task starts; entries of another are dropped first
 */
export function enterChunkCache(runScope: string): void {
  if (scope !== runScope) clearChunkCache();
  scope = runScope;
  depth++;
}

/** Ends what {@link enterChunkCache} began (entries stay for the run's next task). */
export function exitChunkCache(): void {
  depth = Math.max(0, depth - 1);
}

/**
 * Drop every entry. Dropped chunks are left to the garbage collector, not released: a
 * concurrent region read may still be copying from one.
 */
export function clearChunkCache(): void {
  entries.clear();
  used = 0;
}

/**
 * Hits and misses of this thread's cache so far, and the bytes it holds (for tests and
 * benchmarks).
 * @returns the counts
 */
export function chunkCacheStats(): { hits: number; misses: number; bytes: number } {
  return { ...stats, bytes: used };
}

/**
 * A local file's identity: inode, size and modification time.
 * @param path the file
 * @returns the identity, or `undefined` when the file is absent
 */
export function fileVersion(path: string): string | undefined {
  try {
    const info = Deno.statSync(path);
    return `${info.ino}/${info.size}/${info.mtime?.getTime()}`;
  } catch {
    return undefined;
  }
}

/**
 * The decoded chunk from `source`, from the cache when it holds the current version, else from
 * `decode` (and then kept). Outside a task scope, or with the cache off, it only decodes.
 * @param source the chunk's cache key and version
 * @param decode reads and decodes the chunk
 * @returns the values and whether the caller owns them (false: the cache does; do not change
 *   or release them)
 */
export async function cachedChunk(
  source: ChunkSource,
  decode: () => Promise<TypedArray>,
): Promise<{ data: TypedArray; owned: boolean }> {
  const bytes = chunkCacheBytes();
  if (depth === 0 || bytes === 0) return { data: await decode(), owned: true };
  const version = source.version?.();
  if (source.version && version === undefined) {
    return { data: await decode(), owned: true }; // absent: the fill value, not cached
  }
  const found = entries.get(source.key);
  if (found) {
    entries.delete(source.key);
    if (found.version === version) {
      entries.set(source.key, found); // now the most recently used
      stats.hits++;
      return { data: found.data, owned: false };
    }
    used -= found.data.byteLength; // stale (a concurrent read may still be copying from it)
  }
  stats.misses++;
  const data = await decode();
  // too big, or decoded meanwhile by a concurrent read of the same chunk
  if (data.byteLength > bytes / 8 || entries.has(source.key)) return { data, owned: true };
  entries.set(source.key, { version, data });
  used += data.byteLength;
  for (const [key, entry] of entries) {
    if (used <= bytes) break;
    entries.delete(key);
    used -= entry.data.byteLength;
  }
  return { data, owned: false };
}
