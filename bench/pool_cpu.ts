/**
 * Where the CPU goes when 2 workers share 2 cores: runs the chunked benchmark's Gaussian
 * (σ = 2, 256³ in 64³ chunks, shared memory) RUNS times (default 20) with a pool of 1 and then
 * of 2 workers, and prints each thread's CPU time from `/proc/self/task` (Linux only; 10 ms
 * ticks) against the wall time. With 1 worker the main thread and V8's helper threads run on the
 * idle core; with 2 they take time from the workers, which bounds the 2-worker speed-up below 2.
 * It also counts the process's minor page faults (each cost ~12 µs on the VMs measured here, by
 * hand).
 * Run: `deno run -A bench/pool_cpu.ts [RUNS]`.
 * @module
 */
import { filterOp } from "../src/chunked/filter_ops.ts";
import { runOp } from "../src/chunked/scheduler.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import { createSharedArray, sharedArrayData } from "../src/chunked/shared_array.ts";

const side = 256;
const runs = Number(Deno.args[0] ?? 20);

/** CPU milliseconds (user + system) of one thread of this process. */
function threadCpuMs(tid: number): number {
  const fields = Deno.readTextFileSync(`/proc/self/task/${tid}/stat`).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Minor page faults of this process so far (all threads). */
function minorFaults(): number {
  return Number(Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ")[7]);
}

/** CPU milliseconds per thread name, summed over threads of the same name. */
function cpuByName(): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of Deno.readDirSync("/proc/self/task")) {
    const tid = Number(entry.name);
    const name = Deno.readTextFileSync(`/proc/self/task/${tid}/comm`).trim();
    const key = tid === Deno.pid ? "main" : name.startsWith("worker") ? "workers" : name;
    found.set(key, (found.get(key) ?? 0) + threadCpuMs(tid));
  }
  return found;
}

if (import.meta.main) {
  if (Deno.build.os !== "linux") {
    console.error("pool_cpu: needs Linux (/proc/self/task)");
    Deno.exit(2);
  }
  const shape = [side, side, side];
  const chunks = [64, 64, 64];
  const input = createSharedArray("cpu-in", { shape, chunks, dtype: "float32" });
  const data = sharedArrayData(input);
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i, 2654435761) >>> 0) / 2 ** 32;
  const output = createSharedArray("cpu-out", { shape, chunks, dtype: "float32" });
  const op = filterOp("gaussian", { input, output }, { sigma: 2 });
  for (const size of [1, 2]) {
    const pool = createWorkerPool({ size });
    await runOp(op, { executor: pool, quiet: true, journalDir: false }); // warm up
    const faultsBefore = minorFaults();
    const before = cpuByName();
    const started = performance.now();
    for (let r = 0; r < runs; r++) {
      await runOp(op, { executor: pool, quiet: true, journalDir: false });
    }
    const wall = performance.now() - started;
    const after = cpuByName();
    const faults = minorFaults() - faultsBefore;
    const rows = [...after].map(([name, ms]) => [name, ms - (before.get(name) ?? 0)] as const)
      .filter(([, ms]) => ms > 0);
    const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(
      `${size} worker(s), ${runs} runs: wall ${wall.toFixed(0)} ms, CPU ${total} ms ` +
        `(${(100 * total / wall / navigator.hardwareConcurrency).toFixed(0)} % of ` +
        `${navigator.hardwareConcurrency} cores): ${
          rows.map(([n, ms]) => `${n} ${ms}`).join(", ")
        }; ${faults} minor page faults`,
    );
    await pool.close();
  }
}
