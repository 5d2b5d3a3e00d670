/** Worker for `file_store_test.ts`: runs FileStore calls in a worker (its blocking file calls). */
import { FileStore } from "../../src/io/file_store.ts";

const scope = self as unknown as {
  onmessage: (event: MessageEvent<string>) => void;
  postMessage: (value: unknown) => void;
};
scope.onmessage = async (event) => {
  const store = new FileStore(event.data);
  await store.set("/a/0.0", new Uint8Array([1, 2, 3]));
  await store.set("/a/0.0", new Uint8Array([4, 5])); // over an existing file
  await store.set("/b/c/1", new Uint8Array(1 << 20).fill(9));
  const a = await store.get("/a/0.0");
  const b = await store.get("/b/c/1");
  const missing = await store.get("/nothing/here");
  let error = "";
  try {
    await store.set("/b", new Uint8Array([1])); // renamed over a folder that holds a file: fails
  } catch (e) {
    error = (e as Error).name || "Error";
  }
  scope.postMessage({
    a: a && [...a],
    bLength: b?.length,
    bSum: b?.reduce((s, v) => s + v, 0),
    missing: missing === undefined,
    error,
  });
};
