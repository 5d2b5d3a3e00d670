/**
 * FM segmentation on real fluorescence: budding-yeast mitochondria (spinning-disk confocal,
 * 44 × 200 × 200, 200 × 56 × 56 nm). Skipped when ../shared/data is absent. With
 * CLEMREG_WRITE_DOCS=1 it also writes docs/fm_yeast_mask.png (a slice with the mask outline).
 */
import assert from "node:assert/strict";
import { decode as decodeTiff } from "tiff";
import { encode as encodePng } from "fast-png";
import { segmentFmVolume } from "../../src/stages/fm_segmentation_volume.ts";

const root = new URL("../../", import.meta.url).pathname;
const dataDir = Deno.env.get("CLEMREG_DATA") ?? `${root}../shared/data`;
const path = `${dataDir}/fm-yeast/BuddingYeastGlucose01.tif`;
const present = await Deno.stat(path).then(() => true, () => false);
if (!present) console.warn(`skipping the fm-yeast test: ${path} not found (set CLEMREG_DATA)`);

Deno.test({
  name: "segmentFmVolume() finds yeast mitochondria as a few large objects, not speckle",
  ignore: !present,
  fn: async () => {
    const pages = decodeTiff(await Deno.readFile(path));
    const [ny, nx] = [pages[0]!.height, pages[0]!.width];
    const volume = new Uint16Array(pages.length * ny * nx);
    pages.forEach((page, z) => volume.set(page.data as Uint16Array, z * ny * nx));
    const shape = [pages.length, ny, nx];
    // Percentile size filtering drops the largest network when there are only a few objects.
    const { labels, summary } = segmentFmVolume(volume, shape, [200, 56, 56], {
      sizePercentiles: null,
    });
    const sizes = new Map<number, number>();
    for (const label of labels) if (label) sizes.set(label, (sizes.get(label) ?? 0) + 1);
    const largest = Math.max(...sizes.values());
    const fraction = summary.foregroundVoxels / labels.length;
    console.log(
      `fm-yeast: ${summary.count} objects, volume fraction ${(100 * fraction).toFixed(2)} %, ` +
        `largest object ${(100 * largest / summary.foregroundVoxels).toFixed(1)} % of the mask`,
    );
    assert.ok(summary.count >= 1 && summary.count <= 10, `object count ${summary.count}`);
    assert.ok(largest >= 0.5 * summary.foregroundVoxels, "the largest object holds most of it");
    assert.ok(fraction > 0.002 && fraction < 0.1, `volume fraction ${fraction}`);
    const clemreg = segmentFmVolume(volume, shape, [200, 56, 56], {
      preset: "clemreg",
      sizePercentiles: null,
    });
    console.log(`fm-yeast clemreg preset: ${clemreg.summary.count} objects`);
    if (Deno.env.get("CLEMREG_WRITE_DOCS") === "1") await writeOutline(volume, labels, shape);
  },
});

/** The slice with the most foreground, grey, with the mask outline in magenta, 2× enlarged. */
async function writeOutline(volume: Uint16Array, labels: Uint32Array, shape: number[]) {
  const [nz, ny, nx] = shape as [number, number, number];
  const plane = ny * nx;
  let best = 0, bestCount = -1;
  for (let z = 0; z < nz; z++) {
    let count = 0;
    for (let i = z * plane; i < (z + 1) * plane; i++) if (labels[i]) count++;
    if (count > bestCount) [best, bestCount] = [z, count];
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = best * plane; i < (best + 1) * plane; i++) {
    lo = Math.min(lo, volume[i]!);
    hi = Math.max(hi, volume[i]!);
  }
  const scale = 2, width = nx * scale, height = ny * scale;
  const rgb = new Uint8Array(width * height * 3);
  const on = (y: number, x: number) =>
    y >= 0 && y < ny && x >= 0 && x < nx && labels[best * plane + y * nx + x] !== 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sy = Math.floor(y / scale), sx = Math.floor(x / scale);
      const grey = Math.round(255 * (volume[best * plane + sy * nx + sx]! - lo) / (hi - lo || 1));
      const edge = on(sy, sx) &&
        (!on(sy - 1, sx) || !on(sy + 1, sx) || !on(sy, sx - 1) || !on(sy, sx + 1));
      rgb.set(edge ? [255, 0, 255] : [grey, grey, grey], (y * width + x) * 3);
    }
  }
  await Deno.mkdir(`${root}docs`, { recursive: true });
  await Deno.writeFile(
    `${root}docs/fm_yeast_mask.png`,
    encodePng({ width, height, data: rgb, channels: 3 }),
  );
  console.log(`wrote docs/fm_yeast_mask.png (slice z = ${best})`);
}
