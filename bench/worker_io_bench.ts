/**
 * Why pool workers read and write chunk files with blocking calls (`src/io/file_store.ts`):
 * 1 MiB files written to a temporary name and renamed (a chunk write), and read whole, from
 * Web Workers with Deno's asynchronous calls and with blocking ones, by 1 worker and by 2 at
 * once, in alternating rounds (default 5, `--rounds=N`); figures are medians of microseconds per
 * file. Writes replace existing files, as a rerun's chunk writes do; blocking writes are also
 * timed with the old file removed before the rename, as `FileStore` writes chunks (on ext4 a
 * rename over an existing file starts writing the new data to the disk at once). The files go to a temporary folder (`--dir=PATH` for another file system). Run:
 * `deno task bench worker_io [--rounds=N] [--dir=PATH]`.
 * @module
 */
import { join } from "node:path";
import type { WorkerIoJob } from "./worker_io_worker.ts";
import { type Figure, median, writeResults } from "./report.ts";

const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds: expected a positive integer, got ${rounds}`);
  Deno.exit(2);
}
const base = Deno.args.find((a) => a.startsWith("--dir="))?.slice(6);
const root = await Deno.makeTempDir({
  prefix: "clemreg-worker-io-",
  ...(base ? { dir: base } : {}),
});
const workers = [0, 1].map(() =>
  new Worker(new URL("./worker_io_worker.ts", import.meta.url), { type: "module" })
);
function send(worker: Worker, job: WorkerIoJob): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data as number);
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(job);
  });
}

const figures: Figure[] = [];
try {
  for (const op of ["write", "read"] as const) {
    const files = op === "write" ? 300 : 1000;
    const times = new Map<string, number[]>();
    const add = (key: string, value: number) => times.set(key, [...(times.get(key) ?? []), value]);
    for (let round = 0; round <= rounds; round++) {
      for (
        const mode of op === "write"
          ? ["async", "blocking", "drop"] as const
          : ["async", "blocking"] as const
      ) {
        const job = (i: number): WorkerIoJob => ({ op, mode, files, dir: join(root, `${i}`) });
        const one = await send(workers[0]!, job(0));
        const two = await Promise.all(workers.map((worker, i) => send(worker, job(i))));
        if (round === 0) continue; // warm-up
        add(`${mode} 1`, one);
        add(`${mode} 2`, median(two));
      }
    }
    const what = op === "write" ? "write + rename a 1 MiB file" : "read a 1 MiB file";
    for (const count of [1, 2]) {
      const async = median(times.get(`async ${count}`)!);
      const blocking = median(times.get(`blocking ${count}`)!);
      figures.push({
        name: `${what}, ${count} worker${count > 1 ? "s at once" : ""}, blocking calls`,
        value: blocking,
        unit: "µs",
        baseline: "asynchronous calls",
        baselineValue: async,
        ratio: async / blocking,
      });
      if (op !== "write") continue;
      const dropped = median(times.get(`drop ${count}`)!);
      figures.push({
        name: `${what} that replaces a file, ${count} worker${
          count > 1 ? "s at once" : ""
        }, blocking calls, old file removed first`,
        value: dropped,
        unit: "µs",
        baseline: "renamed over the old file",
        baselineValue: blocking,
        ratio: blocking / dropped,
      });
    }
  }
} finally {
  for (const worker of workers) worker.terminate();
  await Deno.remove(root, { recursive: true });
}
await writeResults("worker_io", figures);
