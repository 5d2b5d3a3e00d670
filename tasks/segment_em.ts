/**
 * `deno task segment-em IN.zarr OUT.zarr [--model builtin|PATH.onnx|PATH.json] [--level N]
 * [--threshold T] [--min-voxels 500] [--min-slices 4]`: segment mitochondria in an EM
 * OME-Zarr image at the level nearest the model's voxel size and write a uint32 label image.
 * @module
 */
import { parseArgs } from "node:util";
import { runCli, UsageError } from "./cli.ts";
import { overlapOf } from "../src/io/paths_apart.ts";
import { abortOnInterrupt } from "../src/chunked/interrupt.ts";
import { openEmBackend } from "../src/em/em_backend.ts";
import { segmentEmImage, type SegmentImageOptions } from "../src/em/segment_volume.ts";

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: "string", default: "builtin" },
      level: { type: "string" },
      threshold: { type: "string" },
      "min-voxels": { type: "string", default: "500" },
      "min-slices": { type: "string", default: "4" },
    },
  });
  const [input, output] = positionals;
  if (!input || !output || positionals.length > 2) {
    throw new UsageError(
      "Usage: segment-em IN.zarr OUT.zarr [--model builtin|PATH.onnx] [--level N]",
    );
  }
  const overlap = overlapOf([{ label: "OUT.zarr", path: output }], [{
    label: "IN.zarr",
    path: input,
  }]);
  if (overlap) throw new UsageError(overlap);
  const numberFlag = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) {
      throw new UsageError(`Cannot read --${name}: "${text}" is not a number`);
    }
    return value;
  };
  const backend = await openEmBackend(values.model);
  const interrupt = abortOnInterrupt();
  const options: SegmentImageOptions = {
    minVoxels: numberFlag("min-voxels", values["min-voxels"])!,
    minSlices: numberFlag("min-slices", values["min-slices"])!,
    signal: interrupt.signal,
    onProgress: (done, total) => {
      if (done === total || done % 10 === 0) console.error(`block ${done}/${total}`);
    },
  };
  const level = numberFlag("level", values.level);
  if (level !== undefined) options.level = level;
  const threshold = numberFlag("threshold", values.threshold);
  if (threshold !== undefined) options.threshold = threshold;
  const started = performance.now();
  try {
    const result = await segmentEmImage(input, output, backend, options);
    const seconds = (performance.now() - started) / 1000;
    const voxels = result.shape.reduce((a, b) => a * b, 1);
    console.log(
      `${backend.name}: level ${result.level} (${
        result.voxelSizeUm.map((v) => v * 1000).join(" × ")
      } nm), ` +
        `shape ${result.shape.join(" × ")}, ${result.objectCount} objects, ` +
        `${(100 * result.foregroundFraction).toFixed(2)} % foreground, ` +
        `${seconds.toFixed(1)} s (${(voxels / seconds / 1e6).toFixed(2)} Mvox/s); wrote ${output}`,
    );
  } finally {
    interrupt.dispose();
    await backend.close();
  }
}

if (import.meta.main) await runCli(main);
