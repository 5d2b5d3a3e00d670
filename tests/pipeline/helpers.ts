/** Shared helpers of the end-to-end tests: a generated sample registered in a temp folder. */
import * as path from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import type { ConfigInput } from "../../src/config/schema.ts";
import { register, type RegisterResult } from "../../src/pipeline/register.ts";
import { generateSample, type SampleOptions } from "../../src/sample/generate.ts";

/** Generate a sample in `folder/sample` and register it with `overrides` on top of the defaults. */
export async function registerSample(
  folder: string,
  sample: Omit<SampleOptions, "out">,
  overrides: Partial<ConfigInput> = {},
): Promise<RegisterResult> {
  const sampleDir = path.join(folder, "sample");
  await generateSample({ out: sampleDir, size: "small", ...sample });
  const config = parseConfig(
    {
      fm: { path: "sample/fm.zarr", channel: "mitochondria" },
      em: { path: "sample/em.zarr", labels: "sample/em_labels.zarr" },
      output: { path: "out" },
      resources: { workers: 2 },
      ...overrides,
    },
    { baseDir: folder },
  );
  return await register(config, { truth: path.join(sampleDir, "truth.json"), quiet: true });
}

/** The TRE figures of a result, in nm. */
export function treOf(result: RegisterResult): { mitochondria: number; lysosomes: number } {
  return result.metrics.treNm as { mitochondria: number; lysosomes: number };
}
