/**
 * The FileStore calls `file_store_test.ts` checks, run in the main thread (asynchronous file
 * calls) and in a worker (`file_store_worker.ts`, blocking ones).
 */
import { FileStore } from "../../src/io/file_store.ts";

/** Write, overwrite, read and fail in a store at `dir`; what was read, as plain data. */
export async function exerciseStore(dir: string): Promise<Record<string, unknown>> {
  const store = new FileStore(dir);
  await store.set("/a/0.0", new Uint8Array([1, 2, 3]));
  await store.set("/a/0.0", new Uint8Array([4, 5])); // renamed over an existing file
  await store.set("/b/c/1", new Uint8Array(1 << 20).fill(9));
  await store.set("/d/0", new Uint8Array([7]), { dropOld: true }); // nothing to remove
  await store.set("/d/0", new Uint8Array([8, 9]), { dropOld: true }); // the old file removed
  const a = await store.get("/a/0.0"), b = await store.get("/b/c/1"), d = await store.get("/d/0");
  let error = "";
  try {
    await store.set("/b", new Uint8Array([1])); // renamed over a folder that holds a file: fails
  } catch (e) {
    error = (e as Error).name || "Error";
  }
  return {
    a: a && [...a],
    bLength: b?.length,
    bSum: b?.reduce((s, v) => s + v, 0),
    d: d && [...d],
    missing: (await store.get("/nothing/here")) === undefined,
    error,
  };
}
