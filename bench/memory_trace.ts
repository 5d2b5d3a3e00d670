/**
 * Where the FM segmentation job's memory goes: runs the job of `memory_bench.ts` on a generated
 * volume of DEPTH × 512 × 512 float32 and prints, every 2 s, the process RSS, the main thread's
 * V8 heap and external memory, the resident part of the main malloc arena (`[heap]`) and of
 * anonymous mappings (other arenas, V8 heaps, WebAssembly memories; Linux only), and the latest
 * progress line (which stage, how many chunks).
 * Run: `MALLOC_ARENA_MAX=2 deno run -A --v8-flags=--max-semi-space-size=2 bench/memory_trace.ts 1024` (depth 256 = 0.25 GiB).
 * @module
 */
import { join } from "node:path";
import { createWorkerPool } from "../src/chunked/pool.ts";
import { segmentFm } from "../src/stages/fm_segmentation.ts";
import { writeFmVolume } from "./memory_bench.ts";

/**
 * Resident MiB of the `[heap]` mapping and of anonymous mappings (Linux only), the latter split by
 * the size of the mapping they sit in: "pages" (< 1 MiB: V8 heap pages of the main thread and
 * the workers), "arena" (16-64 MiB: glibc malloc arena heaps), "blocks" (other sizes below
 * 1 GiB: large mmapped malloc blocks, WebAssembly memories) and "huge" (≥ 1 GiB reservations).
 */
function residentByKind(): string {
  let text: string;
  try {
    text = Deno.readTextFileSync("/proc/self/smaps");
  } catch {
    return "";
  }
  let kind = "", brk = 0, huge = 0, arena = 0, pages = 0, blocks = 0;
  for (const line of text.split("\n")) {
    const header = line.match(/^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/);
    if (header) {
      const name = header[3]!.trim();
      const size = (parseInt(header[2]!, 16) - parseInt(header[1]!, 16)) / 2 ** 20;
      kind = name === "[heap]"
        ? "brk"
        : name !== ""
        ? ""
        : size >= 1024
        ? "huge"
        : size >= 16 && size <= 64
        ? "arena"
        : size < 1
        ? "pages"
        : "blocks";
      continue;
    }
    const rss = line.match(/^Rss:\s+(\d+) kB/);
    if (!rss) continue;
    const mib = Number(rss[1]) / 1024;
    if (kind === "brk") brk += mib;
    else if (kind === "huge") huge += mib;
    else if (kind === "arena") arena += mib;
    else if (kind === "pages") pages += mib;
    else if (kind === "blocks") blocks += mib;
  }
  const f = (n: number) => n.toFixed(0);
  return `  [heap] ${f(brk)}  anonymous ${f(huge + arena + pages + blocks)} (pages ${
    f(pages)
  } blocks ${f(blocks)} arena ${f(arena)} huge ${f(huge)})`;
}

const depth = Number(Deno.args[0] ?? 256);
const dir = await Deno.makeTempDir({ prefix: "clemreg-memory-trace-" });
try {
  const pool = createWorkerPool({ size: 2 });
  const array = await writeFmVolume(depth, dir, pool);
  const started = performance.now();
  let stage = "";
  // PEAK_SMAPS=path keeps a copy of /proc/self/smaps (and the stage) at the highest RSS seen
  const peakCopy = Deno.env.get("PEAK_SMAPS");
  let peakSeen = 0;
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const timer = setInterval(() => {
    const { rss, heapUsed, heapTotal, external } = Deno.memoryUsage();
    if (peakCopy && rss > peakSeen) {
      peakSeen = rss;
      Deno.copyFileSync("/proc/self/smaps", peakCopy);
      Deno.writeTextFileSync(`${peakCopy}.stage`, stage);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `${seconds} s  rss ${mib(rss)} MiB  heap ${mib(heapUsed)}/${mib(heapTotal)}  external ${
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
