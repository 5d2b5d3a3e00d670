/**
 * Where the FM segmentation job's memory goes: runs the job of `memory_bench.ts` on a generated
 * volume of DEPTH × 512 × 512 float32 and prints, every 2 s, the process RSS, the main thread's
 * V8 heap and external memory, the resident part of the main malloc arena (`[heap]`) and of
 * anonymous mappings (other arenas, V8 heaps, WebAssembly memories; Linux only), and the latest
 * progress line (which stage, how many chunks).
 * Run: `MALLOC_ARENA_MAX=2 deno run -A bench/memory_trace.ts 1024` (depth 256 = 0.25 GiB).
 * @module
 */
import { join } from "node:path";
import { createWorkerPool } from "../src/chunked/pool.ts";
import { segmentFm } from "../src/stages/fm_segmentation.ts";
import { writeFmVolume } from "./memory_bench.ts";

/** Resident MiB of the `[heap]` mapping and of anonymous mappings, from /proc/self/smaps. */
function residentByKind(): string {
  let text: string;
  try {
    text = Deno.readTextFileSync("/proc/self/smaps");
  } catch {
    return "";
  }
  let kind = "", brk = 0, anonymous = 0;
  for (const line of text.split("\n")) {
    const header = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (header) {
      kind = header[1]!.trim() === "[heap]" ? "brk" : header[1]!.trim() === "" ? "anon" : "";
      continue;
    }
    const rss = line.match(/^Rss:\s+(\d+) kB/);
    if (rss && kind === "brk") brk += Number(rss[1]) / 1024;
    if (rss && kind === "anon") anonymous += Number(rss[1]) / 1024;
  }
  return `  [heap] ${brk.toFixed(0)}  anonymous ${anonymous.toFixed(0)}`;
}

const depth = Number(Deno.args[0] ?? 256);
const dir = await Deno.makeTempDir({ prefix: "clemreg-memory-trace-" });
try {
  const pool = createWorkerPool({ size: 2 });
  const array = await writeFmVolume(depth, dir, pool);
  const started = performance.now();
  let stage = "";
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const timer = setInterval(() => {
    const { rss, heapUsed, external } = Deno.memoryUsage();
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `${seconds} s  rss ${mib(rss)} MiB  heap ${mib(heapUsed)}  external ${
        mib(external)
      }${residentByKind()}  | ${stage}`,
    );
  }, Number(Deno.env.get("TRACE_MS") ?? 2000));
  await segmentFm({ array, voxelSizeUm: [0.13, 0.035, 0.035] }, {
    output: join(dir, "labels.zarr"),
    executor: pool,
    memoryBytes: 512 * 2 ** 20,
    progress: { tty: false, intervalSeconds: 1, write: (text) => (stage = text.trim()) },
  });
  clearInterval(timer);
  await pool.close();
} finally {
  await Deno.remove(dir, { recursive: true });
}
