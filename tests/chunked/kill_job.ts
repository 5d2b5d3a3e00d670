/**
 * Child-process job for the kill, interrupt and failure tests: a slow copy map from an OME-Zarr
 * input to an OME-Zarr output, journalled beside the output (the default), with Ctrl-C handled
 * as the tasks handle it (`abortOnInterrupt`, `runCli`: exit 130). Prints the op result as JSON.
 * Usage: kill_job.ts WORKDIR OUTPUT_NAME [fail]
 * @module
 */
import { join } from "node:path";
import { testKernel } from "./helpers.ts";
import { createImage, writeImage } from "../../src/io/writer.ts";
import type { ImageSpec } from "../../src/io/writer.ts";
import { map } from "../../src/chunked/ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { abortOnInterrupt } from "../../src/chunked/interrupt.ts";
import { runCli } from "../../tasks/cli.ts";

/** Shape of the test volume; chunks of 4³ make 64 chunks. */
export const killJobShape = [16, 16, 16];

/** Input voxels of the test volume. */
export function killJobInput(): Float32Array {
  return Float32Array.from({ length: 16 ** 3 }, (_, i) => (i * 7) % 101);
}

const spec: ImageSpec = {
  axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" })),
  shape: killJobShape,
  chunks: [4, 4, 4],
  dtype: "float32",
  scale: [1, 1, 1],
  levels: 1,
};

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  await runCli(async () => {
    const [workDir, outputName, mode] = Deno.args;
    if (!workDir || !outputName) throw new Error("usage: kill_job.ts WORKDIR OUTPUT_NAME [fail]");
    const inputPath = join(workDir, "input.zarr");
    if (!await exists(inputPath)) await writeImage(inputPath, killJobInput(), spec);
    const outputPath = join(workDir, outputName);
    if (!await exists(outputPath)) await createImage(outputPath, spec);
    const op = map({
      name: "slow copy",
      kernel: testKernel(mode === "fail" ? "failingCopy" : "slowCopy"),
      inputs: [{ kind: "zarr", location: inputPath, level: 0 }],
      output: { kind: "zarr", location: outputPath, level: 0 },
      params: mode === "fail" ? { badChunk: 5 } : { delayMs: 40 },
    });
    const interrupt = abortOnInterrupt();
    try {
      const result = await runOp(op, {
        workers: 2,
        quiet: true,
        maxAttempts: 2,
        retryDelayMs: 1,
        signal: interrupt.signal,
      });
      console.log(JSON.stringify({ ...result, result: undefined }));
    } finally {
      interrupt.dispose();
    }
  });
}
