import { assertEquals } from "../chunked/assert.ts";
import { FileStore } from "../../src/io/file_store.ts";

/** Every file under `dir`, relative, sorted. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const rel = prefix + entry.name;
    if (entry.isDirectory) names.push(...await filesUnder(`${dir}/${entry.name}`, rel + "/"));
    else names.push(rel);
  }
  return names.sort();
}

for (const where of ["the main thread", "a worker"]) {
  Deno.test(`FileStore in ${where}: atomic writes, reads, a missing key, a write over a folder fails and leaves no temporary file`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "clemreg-store-" });
    try {
      let result: Record<string, unknown>;
      if (where === "a worker") {
        const worker = new Worker(new URL("./file_store_worker.ts", import.meta.url), {
          type: "module",
        });
        try {
          result = await new Promise((resolve, reject) => {
            worker.onmessage = (event) => resolve(event.data);
            worker.onerror = (event) => reject(new Error(event.message));
            worker.postMessage(dir);
          });
        } finally {
          worker.terminate();
        }
      } else {
        const store = new FileStore(dir);
        await store.set("/a/0.0", new Uint8Array([1, 2, 3]));
        await store.set("/a/0.0", new Uint8Array([4, 5]));
        await store.set("/b/c/1", new Uint8Array(1 << 20).fill(9));
        const a = await store.get("/a/0.0"), b = await store.get("/b/c/1");
        let error = "";
        try {
          await store.set("/b", new Uint8Array([1]));
        } catch (e) {
          error = (e as Error).name || "Error";
        }
        result = {
          a: a && [...a],
          bLength: b?.length,
          bSum: b?.reduce((s, v) => s + v, 0),
          missing: (await store.get("/nothing/here")) === undefined,
          error,
        };
      }
      assertEquals(result, {
        a: [4, 5],
        bLength: 1 << 20,
        bSum: 9 * (1 << 20),
        missing: true,
        error: "IsADirectory",
      });
      assertEquals(await filesUnder(dir), ["a/0.0", "b/c/1"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
