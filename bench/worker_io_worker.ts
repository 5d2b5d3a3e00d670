/**
 * The worker of `bench/worker_io_bench.ts`: writes (and renames) or reads 1 MiB files in its own
 * folder, with Deno's asynchronous or blocking calls, and replies with microseconds per file.
 * Writes cycle over 16 names, so that all but the first 16 replace an existing file.
 * @module
 */
import { existsSync, unlinkSync } from "node:fs";

/** What the bench sends. */
export interface WorkerIoJob {
  op: "write" | "read";
  /** `drop`: blocking calls, and an existing file is removed before the rename (a chunk write). */
  mode: "async" | "blocking" | "drop";
  files: number;
  dir: string;
}

const data = new Uint8Array(1 << 20).fill(7);
const slots = 16;

async function run({ op, mode, files, dir }: WorkerIoJob): Promise<number> {
  Deno.mkdirSync(dir, { recursive: true });
  if (op === "read") { for (let i = 0; i < slots; i++) Deno.writeFileSync(`${dir}/c${i}`, data); }
  const started = performance.now();
  for (let i = 0; i < files; i++) {
    const target = `${dir}/c${i % slots}`;
    if (op === "write") {
      const temp = `${dir}/.c${i % slots}.${i}.tmp`;
      if (mode === "async") {
        await Deno.writeFile(temp, data);
        await Deno.rename(temp, target);
      } else {
        Deno.writeFileSync(temp, data);
        if (mode === "drop" && existsSync(target)) unlinkSync(target);
        Deno.renameSync(temp, target);
      }
    } else if (mode === "async") {
      await Deno.readFile(target);
    } else {
      Deno.readFileSync(target);
    }
  }
  return ((performance.now() - started) / files) * 1000;
}

/** This worker's global scope (the type checker's default lib is the window's). */
const scope = self as unknown as {
  onmessage: (event: MessageEvent<WorkerIoJob>) => void;
  postMessage: (value: number) => void;
};
scope.onmessage = async (event) => scope.postMessage(await run(event.data));
