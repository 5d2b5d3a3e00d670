import { assertEquals } from "../chunked/assert.ts";
import { exerciseStore } from "./file_store_exercise.ts";

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
  Deno.test(`FileStore in ${where}: atomic writes (also removing the old file first), reads, a missing key, a write over a folder fails and leaves no temporary file`, async () => {
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
        result = await exerciseStore(dir);
      }
      assertEquals(result, {
        a: [4, 5],
        bLength: 1 << 20,
        bSum: 9 * (1 << 20),
        d: [8, 9],
        missing: true,
        error: "IsADirectory",
      });
      assertEquals(await filesUnder(dir), ["a/0.0", "b/c/1", "d/0"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
