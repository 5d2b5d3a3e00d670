/**
 * The one-screen text summary `deno task sample` prints: grids, object counts, transform.
 * @module
 */
import type { SampleSummary } from "./generate.ts";
import type { Grid } from "./grid.ts";

/**
 * Format a sample summary for the terminal.
 *
 * @param summary What `generateSample` returned.
 * @returns Lines of text joined by newlines.
 */
export function formatSampleSummary(summary: SampleSummary): string {
  const grid = (g: Grid) =>
    `${g.shape.join(" × ")} voxels of ${
      g.voxelUm.map((v) => Math.round(v * 1000)).join(" × ")
    } nm ` +
    `(${g.shape.map((n, a) => (n * g.voxelUm[a]!).toFixed(2)).join(" × ")} µm)`;
  const matrix = summary.truth.fmToEm.matrix.slice(0, 3).map((row) =>
    "    [" + row.map((v) => v.toFixed(5).padStart(10)).join(", ") + "]"
  );
  const field = summary.truth.nonrigid;
  const seconds = Object.entries(summary.secondsByStage).map(([stage, s]) =>
    `${stage} ${s.toFixed(2)} s`
  );
  const total = Object.values(summary.secondsByStage).reduce((a, b) => a + b, 0);
  return [
    `sample written to ${summary.out}`,
    `  em.zarr        uint8  ${grid(summary.emGrid)}`,
    `  em_labels.zarr ${summary.emLabelDtype} ${summary.mitochondria} mitochondria ` +
    `(${
      (100 * summary.volumeFraction).toFixed(1)
    } % of the volume; ${summary.testMitochondria} test points)`,
    `  fm.zarr        uint16 2 channels (mitochondria, lysosomes) × ${grid(summary.fmGrid)}`,
    `  lysosome-like puncta: ${summary.lysosomes} (FM channel 1 only; never used for registration)`,
    `  truth.json     method ${summary.truth.method}, rotation axis (z,y,x) ` +
    `${summary.rotationAxis.map((v) => v.toFixed(3)).join(", ")}, fmToEm (µm):`,
    ...matrix,
    field === null
      ? "  non-rigid field: none"
      : `  non-rigid field: ${field.centersUm.length} Gaussian RBFs, σ ${field.sigmaUm} µm, ` +
        `amplitude ${field.amplitudeUm} µm`,
    `  time: ${seconds.join(", ")}; total ${total.toFixed(2)} s`,
  ].join("\n");
}
