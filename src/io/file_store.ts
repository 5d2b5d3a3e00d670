/**
 * A store on the local file system. Writes are atomic: bytes go to a unique
 * temporary name in the same folder, then are renamed over the target.
 * @module
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { RangeQuery, Store } from "./store.ts";

let tempCounter = 0;

function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    (typeof error === "object" && error !== null && "code" in error &&
      (error.code === "ENOENT" || error.code === "ENOTDIR"));
}

/** A read-write store rooted at a folder. */
export class FileStore implements Store {
  readonly writable = true;
  readonly root: string;
  /** Folders known to exist, so a chunk write costs one write and one rename. */
  readonly #madeFolders = new Set<string>();

  /** @param root the folder holding the keys */
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get description(): string {
    return this.root;
  }

  /** The file path of a key. */
  pathOf(key: string): string {
    return path.join(this.root, ...key.split("/").filter((p) => p.length > 0));
  }

  async get(key: `/${string}`, options?: { signal?: AbortSignal }) {
    options?.signal?.throwIfAborted();
    try {
      return await Deno.readFile(this.pathOf(key));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getRange(key: `/${string}`, range: RangeQuery, options?: { signal?: AbortSignal }) {
    options?.signal?.throwIfAborted();
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.pathOf(key), "r");
      let offset: number;
      let length: number;
      if ("suffixLength" in range) {
        const { size } = await handle.stat();
        offset = Math.max(0, size - range.suffixLength);
        length = size - offset;
      } else {
        offset = range.offset;
        length = range.length;
      }
      const bytes = new Uint8Array(length);
      const { bytesRead } = await handle.read(bytes, 0, length, offset);
      return bytesRead === length ? bytes : bytes.subarray(0, bytesRead);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    } finally {
      await handle?.close();
    }
  }

  async set(key: `/${string}`, value: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    if (!this.#madeFolders.has(dir)) {
      await Deno.mkdir(dir, { recursive: true });
      this.#madeFolders.add(dir);
    }
    const temp = path.join(dir, `.${path.basename(target)}.${Deno.pid}.${tempCounter++}.tmp`);
    try {
      try {
        await Deno.writeFile(temp, value);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await Deno.mkdir(dir, { recursive: true }); // the folder was removed since it was made
        await Deno.writeFile(temp, value);
      }
      await Deno.rename(temp, target);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }

  async delete(key: `/${string}`): Promise<void> {
    try {
      await Deno.remove(this.pathOf(key), { recursive: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
