/**
 * Child-process job for the kill and failure tests: a slow copy map from a raw input array
 * to a raw output array, journalled beside the output. Prints the op result as JSON.
 * Usage: kill_job.ts WORKDIR OUTPUT_NAME [fail]
 * @module
 */
import { join } from "node:path";
import { createRawArray, rawLocation } from "./raw_array.ts";
import { testKernel } from "./helpers.ts";
import { map } from "../../src/chunked/ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { openArray } from "../../src/chunked/open_array.ts";
import { chunkGrid, iterateChunks } from "../../src/chunked/grid.ts";

const [workDir, outputName, mode] = Deno.args;
if (!workDir || !outputName) throw new Error("usage: kill_job.ts WORKDIR OUTPUT_NAME [fail]");
const shape = [16, 16, 16];
const chunks = [4, 4, 4];
const inputDir = join(workDir, "input");
try {
  await Deno.stat(join(inputDir, "meta.json"));
} catch {
  const location = await createRawArray(inputDir, { shape, chunks, dtype: "float32" });
  const input = await openArray(location);
  let value = 0;
  for (const index of iterateChunks(chunkGrid(shape, chunks))) {
    await input.writeChunk!(index, Float32Array.from({ length: 64 }, () => (value++ * 7) % 101));
  }
}
const outputDir = join(workDir, outputName);
const output = await createRawArray(outputDir, { shape, chunks, dtype: "float32" });
const op = map({
  name: "slow copy",
  kernel: testKernel(mode === "fail" ? "failingCopy" : "slowCopy"),
  inputs: [rawLocation(inputDir)],
  output,
  params: mode === "fail" ? { badChunk: 5 } : { delayMs: 40 },
});
const result = await runOp(op, {
  workers: 2,
  quiet: true,
  maxAttempts: 2,
  retryDelayMs: 1,
  journalDir: join(outputDir, ".clemreg-journal"),
});
console.log(JSON.stringify({ ...result, result: undefined }));
