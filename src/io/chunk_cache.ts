/**
 * Decoded chunks of compressed local OME-Zarr arrays, kept per thread while chunk tasks run. A
 * task's haloed input box touches up to 27 chunks (3 along each axis whenever the halo is not
 * zero), and a compressed chunk cannot be decoded in part, so without a cache every chunk was
 * decoded by each of the up to 27 tasks whose boxes touch it: the σ = 2 Gaussian of a 256³
 * zstd volume in 64³ chunks decoded 1,000 chunks for 64 (the README's benchmark table has the
 * figures). Neighbouring tasks that run on the same thread now decode a shared chunk once.
 *
 * The cache serves only region reads inside a task (see {@link enterChunkCache}, which
 * `executeTask` calls), only arrays in a local `FileStore`, and each hit only after the file's
 * `stat` (inode, size, modification time) still matches the one it was decoded from; it is
 * emptied when a task of another op starts. It holds at most `CLEMREG_CHUNK_CACHE_MB` MiB per
 * thread (default 64; 0 turns it off), least recently used chunks leaving first, and no chunk
 * larger than an eighth of that.
 * @module
 */
import type { TypedArray } from "./types.ts";

interface Entry {
  ino: number | null;
  size: number;
  mtime: number | undefined;
  data: TypedArray;
}

function budgetFromEnv(): number {
  let text: string | undefined;
  try {
    text = Deno.env.get("CLEMREG_CHUNK_CACHE_MB");
  } catch {
    return 64 * 2 ** 20; // no env permission: the default
  }
  if (text === undefined || text === "") return 64 * 2 ** 20;
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
/** Entries by file path, least recently used first (a Map keeps insertion order). */
const entries = new Map<string, Entry>();
let used = 0;
let depth = 0;
let scope: string | undefined;
const stats = { hits: 0, misses: 0 };

/**
 * Region reads of this thread may use the cache until the matching {@link exitChunkCache}.
 * @param opId the op whose task starts; entries of another op are dropped first
 */
export function enterChunkCache(opId: string): void {
  if (scope !== opId) clearChunkCache();
  scope = opId;
  depth++;
}

/** Ends what {@link enterChunkCache} began (entries stay for the op's next task). */
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

/** Hits and misses of this thread's cache so far (for tests and benchmarks). */
export function chunkCacheStats(): { hits: number; misses: number; bytes: number } {
  return { ...stats, bytes: used };
}

/**
 * The decoded chunk at `path`, from the cache when it holds the file's current version, else
 * from `decode` (and then kept). Outside a task scope, or with the cache off, it only decodes.
 * @param path the chunk file
 * @param decode reads and decodes the chunk; `undefined` for an absent chunk
 * @returns the values and whether the caller owns them (false: the cache does; do not change
 *   or release them)
 */
export async function cachedChunk(
  path: string,
  decode: () => Promise<TypedArray>,
): Promise<{ data: TypedArray; owned: boolean }> {
  const budget = chunkCacheBytes();
  if (depth === 0 || budget === 0) return { data: await decode(), owned: true };
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return { data: await decode(), owned: true }; // absent: the fill value, not cached
  }
  const found = entries.get(path);
  if (found) {
    entries.delete(path);
    if (
      found.ino === info.ino && found.size === info.size && found.mtime === info.mtime?.getTime()
    ) {
      entries.set(path, found); // now the most recently used
      stats.hits++;
      return { data: found.data, owned: false };
    }
    used -= found.data.byteLength; // stale (another caller may still be copying from it)
  }
  stats.misses++;
  const data = await decode();
  // too big, or decoded meanwhile by a concurrent read of the same chunk
  if (data.byteLength > budget / 8 || entries.has(path)) return { data, owned: true };
  entries.set(path, { ino: info.ino, size: info.size, mtime: info.mtime?.getTime(), data });
  used += data.byteLength;
  for (const [key, entry] of entries) {
    if (used <= budget) break;
    entries.delete(key);
    used -= entry.data.byteLength;
  }
  return { data, owned: false };
}
