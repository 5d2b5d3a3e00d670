/**
 * The store interface every OME-Zarr location is read and written through, and
 * `openStore`, which picks the implementation from a path or URL.
 * @module
 */
import { FileStore } from "./file_store.ts";
import { HttpStore } from "./http_store.ts";
import { ProceduralStore } from "./procedural_store.ts";
import { type S3Options, S3Store } from "./s3_store.ts";

/** A byte range: `offset`+`length`, or the last `suffixLength` bytes. */
export type RangeQuery = { offset: number; length: number } | { suffixLength: number };

/** Options of {@link Store.set}. */
export interface SetOptions {
  /**
   * For chunk files: the store may remove the old value before the new one takes its place,
   * where that is cheaper than replacing it in one step (a local file store on ext4, see
   * `file_store.ts`). Metadata are written without it.
   */
  dropOld?: boolean;
}

/**
 * A key-value store of bytes, keyed by absolute paths such as `/0/zarr.json`.
 * Plain objects satisfy it; zarrita reads through it directly.
 */
export interface Store {
  /** Bytes at `key`, or `undefined` when absent. */
  get(key: `/${string}`, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined>;
  /** Part of the bytes at `key` (needed for sharded arrays). */
  getRange?(
    key: `/${string}`,
    range: RangeQuery,
    options?: { signal?: AbortSignal },
  ): Promise<Uint8Array | undefined>;
  /**
   * Write `value` at `key` atomically: a reader sees the old bytes or the new, never a part
   * (with `dropOld`, possibly none for a moment).
   */
  set?(key: `/${string}`, value: Uint8Array, options?: SetOptions): Promise<void>;
  /** Remove `key` (absent keys are fine). */
  delete?(key: `/${string}`): Promise<void>;
  /** Whether the store can be written. */
  readonly writable: boolean;
  /** A human-readable name of the store's root, for messages. */
  readonly description: string;
}

/**
 * Open the store behind a location.
 * @param location a local path, `file://`, `http(s)://` or `s3://bucket/prefix` URL
 * @param options settings of an S3 store (endpoint, region, retries; default from `AWS_*`)
 * @returns a file store (read-write), an HTTP store (read-only) or an S3 store
 * @example
 * ```ts
 * import { openStore } from "./store.ts";
 * const store = openStore("/tmp/example.zarr");
 * console.log(store.writable); // true
 * ```
 */
export function openStore(location: string, options: { s3?: S3Options } = {}): Store {
  if (/^https?:\/\//i.test(location)) return new HttpStore(location);
  if (/^s3:\/\//i.test(location)) return new S3Store(location, options.s3);
  if (/^procedural:\/\//i.test(location)) return new ProceduralStore(location);
  if (location.startsWith("file://")) return new FileStore(new URL(location).pathname);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new TypeError(
      `Cannot open "${location}": the scheme is not supported (expected a path, http(s):// or s3://)`,
    );
  }
  return new FileStore(location);
}

/** Join a store key prefix and a relative path into an absolute key. */
export function joinKey(prefix: string, ...parts: string[]): `/${string}` {
  const joined = [prefix, ...parts].join("/").split("/").filter((p) => p.length > 0).join("/");
  return `/${joined}`;
}
