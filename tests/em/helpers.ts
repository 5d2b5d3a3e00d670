/** Shared test helpers for the EM area: a random small model, an EM-like volume, em-vnc 12-14. */
import {
  type EmModel,
  type EmModelFile,
  encodeFloat32,
  prepareEmModel,
  type StoredLayer,
} from "../../src/em/em_model.ts";
import { defaultFeatureSpec, featureCount } from "../../src/em/features_2d.ts";
import { contextFeatureCount } from "../../src/em/context_features.ts";
import { seededRandom } from "../../src/random.ts";
import { writeImage } from "../../src/io/writer.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import { overlapScores } from "../../src/em/mask_metrics.ts";
import { loadVncSlice } from "../../src/em/training_data.ts";

function randomLayers(widths: number[], random: () => number): StoredLayer[] {
  const layers: StoredLayer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const inputs = widths[l]!;
    const outputs = widths[l + 1]!;
    const weights = new Float32Array(inputs * outputs).map(() => (random() - 0.5) * 0.6);
    const bias = new Float32Array(outputs).map(() => (random() - 0.5) * 0.2);
    layers.push({
      inputs,
      outputs,
      activation: l + 2 === widths.length ? "sigmoid" : "relu",
      weights: encodeFloat32(weights),
      bias: encodeFloat32(bias),
    });
  }
  return layers;
}

/** A model with random weights (and an auto-context stage), for structural tests. */
export function randomModel(
  seed: number,
  voxelSizeNm = 18.4,
  contextOnly = false,
  zSigmasPx: number[] = [],
  gate?: number,
): EmModel {
  const random = seededRandom(seed);
  const imagePlanes = featureCount(defaultFeatureSpec);
  const sigmasPx = [1, 2.5];
  const allPlanes = (contextOnly ? 0 : imagePlanes) + contextFeatureCount(sigmasPx, zSigmasPx);
  const file: EmModelFile = {
    format: "clemreg-em-mlp",
    version: 1,
    voxelSizeNm: [voxelSizeNm, voxelSizeNm],
    features: defaultFeatureSpec,
    normalisation: "volume-mean-std",
    featureMean: new Array(imagePlanes).fill(0),
    featureStd: new Array(imagePlanes).fill(1),
    layers: randomLayers([imagePlanes, 8, 4, 1], random),
    context: {
      sigmasPx,
      ...(zSigmasPx.length > 0 ? { zSigmasPx } : {}),
      ...(gate !== undefined ? { gate } : {}),
      contextOnly,
      featureMean: new Array(allPlanes).fill(0),
      featureStd: new Array(allPlanes).fill(1),
      layers: randomLayers([allPlanes, 8, 1], random),
    },
    threshold: 0.5,
    clean: { minObjectPx: 4, maxHolePx: 4 },
    training: {},
    licence: "test",
  };
  return prepareEmModel(file);
}

/** An EM-like volume: bright cytoplasm, dark textured discs (mitochondria), noise; with truth. */
export function emLikeVolume(
  shape: [number, number, number],
  seed: number,
): { volume: Uint8Array; truth: Uint8Array } {
  const [depth, height, width] = shape;
  const random = seededRandom(seed);
  const volume = new Uint8Array(depth * height * width);
  const truth = new Uint8Array(volume.length);
  const discs = Array.from({ length: Math.max(2, Math.round(height * width / 900)) }, () => ({
    y: random() * height,
    x: random() * width,
    radius: 5 + random() * 5,
    z0: Math.floor(random() * depth * 0.3),
    z1: depth - Math.floor(random() * depth * 0.3),
  }));
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (z * height + y) * width + x;
        let value = 170 + 25 * (random() - 0.5);
        for (const disc of discs) {
          if (z < disc.z0 || z >= disc.z1) continue;
          if ((y - disc.y) ** 2 + (x - disc.x) ** 2 < disc.radius ** 2) {
            value = 80 + 30 * Math.sin(x * 1.3) + 20 * (random() - 0.5);
            truth[i] = 1;
          }
        }
        volume[i] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
  return { volume, truth };
}

/**
 * Write em-vnc stack1 slices 12-14 at full resolution (4.6 nm, 3 × 1024 × 1024 uint8) as an
 * OME-Zarr with a 3-level pyramid, so that segmentation must pick level 2 (18.4 nm).
 * @param dataDir the shared data folder
 * @param location the OME-Zarr to write
 */
export async function writeVncValidationZarr(dataDir: string, location: string): Promise<void> {
  const { decode } = await import("tiff");
  const raw = new Uint8Array(3 * 1024 * 1024);
  for (let z = 0; z < 3; z++) {
    const [ifd] = decode(await Deno.readFile(`${dataDir}/em-vnc/stack1/raw/${12 + z}.tif`));
    raw.set(ifd!.data as Uint8Array, z * 1024 * 1024);
  }
  await writeImage(location, raw, {
    axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" })),
    shape: [3, 1024, 1024],
    chunks: [3, 256, 256],
    dtype: "uint8",
    scale: [0.05, 0.0046, 0.0046],
    levels: 3,
  });
}

/**
 * Dice and IoU of a labels image at 18.4 nm (3 × 256 × 256) against the em-vnc masks of slices
 * 12-14 (block-reduced ×4).
 * @param dataDir the shared data folder
 * @param labels the labels OME-Zarr
 */
export async function scoreVncLabels(
  dataDir: string,
  labels: string,
): Promise<{ dice: number; iou: number }> {
  const values = await (await openLevel(await openImage(labels), 0)).readRegion({
    start: [0, 0, 0],
    stop: [3, 256, 256],
  });
  const truth = new Uint8Array(3 * 256 * 256);
  for (let z = 0; z < 3; z++) {
    truth.set((await loadVncSlice(`${dataDir}/em-vnc/stack1`, 12 + z, 4)).mask, z * 256 * 256);
  }
  return overlapScores(values, truth);
}
