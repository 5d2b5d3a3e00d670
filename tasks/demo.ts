/**
 * `deno task demo [--out DIR]`: generate the small synthetic CLEM sample (known
 * transform), register it end to end with the EM labels given, and print where the
 * output and the report are, with the registration error against the truth.
 * @module
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../src/config/load.ts";
import { register } from "../src/pipeline/register.ts";
import { generateSample } from "../src/sample/generate.ts";
import { formatSampleSummary } from "../src/sample/summary.ts";
import { runCli } from "./cli.ts";
import { abortOnInterrupt } from "../src/chunked/interrupt.ts";

if (import.meta.main) {
  await runCli(async () => {
    const { values } = parseArgs({
      args: Deno.args,
      options: { out: { type: "string", default: "demo" }, quiet: { type: "boolean" } },
    });
    const folder = path.resolve(values.out!);
    const sampleDir = path.join(folder, "sample");
    const started = performance.now();
    console.error(`[demo] generating the small synthetic sample in ${sampleDir}…`);
    const summary = await generateSample({ out: sampleDir, size: "small", seed: 1 });
    console.error(formatSampleSummary(summary));
    const configText = [
      "# written by deno task demo",
      "fm: { path: sample/fm.zarr, channel: mitochondria }",
      "em: { path: sample/em.zarr, labels: sample/em_labels.zarr }",
      "registration: { method: affine }",
      "output: { path: out }",
      "",
    ].join("\n");
    const configPath = path.join(folder, "config.yaml");
    await Deno.writeTextFile(configPath, configText);
    const config = parseConfig(
      {
        fm: { path: "sample/fm.zarr", channel: "mitochondria" },
        em: { path: "sample/em.zarr", labels: "sample/em_labels.zarr" },
        registration: { method: "affine" },
        output: { path: "out" },
      },
      { file: configPath, baseDir: folder },
    );
    const interrupt = abortOnInterrupt();
    const result = await register(config, {
      truth: path.join(sampleDir, "truth.json"),
      signal: interrupt.signal,
      ...(values.quiet ? { quiet: true } : {}),
    }).finally(() => interrupt.dispose());
    const tre = result.metrics.treNm as
      | { mitochondria: number; lysosomes: number | null }
      | undefined;
    console.log(`config:    ${configPath}`);
    console.log(`output:    ${result.outputPath}`);
    console.log(`transform: ${result.transformPath}`);
    console.log(`report:    ${result.reportPath}`);
    if (tre) {
      console.log(
        `TRE against the truth: mitochondria ${tre.mitochondria.toFixed(1)} nm, lysosomes ${
          tre.lysosomes?.toFixed(1) ?? "—"
        } nm (FM voxel 130 × 35 × 35 nm)`,
      );
    }
    console.log(`demo finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
}
