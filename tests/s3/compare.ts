/**
 * Test helpers: a seeded volume, and the objects of a local folder and an S3 store
 * as key → bytes maps, to compare an S3 write with a file-store write byte for byte.
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as path from "node:path";
import type { S3Store } from "../../src/io/s3_store.ts";
import { seededRandom } from "../../src/random.ts";

/** A seeded pseudo-random uint16 volume (mulberry32) with smooth structure. */
export function seededVolume(length: number, seed: number): Uint16Array {
  const values = new Uint16Array(length);
  const random = seededRandom(seed);
  for (let i = 0; i < length; i++) {
    // random() is an exact multiple of 2⁻³², so this is the generator's 32-bit draw.
    values[i] = (i % 977) * 40 + (Math.floor(random() * 4294967296) % 200);
  }
  return values;
}

/** Every file below `folder`, keyed `/relative/path` (temporary files included). */
export async function folderObjects(folder: string): Promise<Map<string, Uint8Array>> {
  const objects = new Map<string, Uint8Array>();
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory) await walk(full);
      else {objects.set(
          `/${path.relative(folder, full).split(path.sep).join("/")}`,
          await Deno.readFile(full),
        );}
    }
  };
  await walk(folder);
  return objects;
}

/** Every object of an S3 store, keyed by store key. */
export async function storeObjects(store: S3Store): Promise<Map<string, Uint8Array>> {
  const objects = new Map<string, Uint8Array>();
  for (const key of await store.list()) {
    const bytes = await store.get(key);
    assert.ok(bytes, `listed key ${key} must be readable`);
    objects.set(key, bytes);
  }
  return objects;
}

/** Assert two key → bytes maps hold the same keys with identical bytes. */
export function assertSameObjects(
  actual: Map<string, Uint8Array>,
  expected: Map<string, Uint8Array>,
): void {
  const missing = [...expected.keys()].filter((k) => !actual.has(k));
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, "same keys");
  for (const [key, bytes] of expected) {
    assert.ok(Buffer.from(actual.get(key)!).equals(Buffer.from(bytes)), `bytes of ${key} differ`);
  }
}
