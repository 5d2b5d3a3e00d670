/**
 * The modality-matched EM side: the EM mitochondria mask blurred with the FM
 * point-spread function, as FM would have imaged it. Segmenting this with the FM
 * method makes the EM cloud carry the same thickening as the FM cloud, so CPD's
 * scale is not biased by it (CLEM-Reg's defaults are, by about 4 %).
 * @module
 */
import { kernelRef, mapOverlap } from "../chunked/ops.ts";
import type { KernelContext, KernelInput, KernelResult, OpSpec } from "../chunked/types.ts";
import { gaussianFilterRegion } from "../filters/gaussian.ts";
import { haloVoxels } from "../filters/sigma.ts";

/** Chunk kernel: (labels > 0) blurred by a Gaussian of `sigma` voxels per axis. */
export function blurredMaskKernel(
  inputs: KernelInput[],
  params: { sigma: number[] },
  context: KernelContext,
): KernelResult {
  const input = inputs[0]!;
  const mask = new Float32Array(input.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = input.data[i]! > 0 ? 1 : 0;
  const region = {
    inputBox: input.box,
    volumeShape: input.arrayShape,
    outputBox: context.outputBox,
  };
  return { output: gaussianFilterRegion(mask, region, { sigma: params.sigma }) };
}

/**
 * The op writing the PSF-blurred mask of a labels level into a float32 image of the
 * same grid.
 * @param labels the labels image and level
 * @param output the float32 output image (same shape and chunks), level 0
 * @param sigmaVoxels PSF σ in voxels of that level, z, y, x
 */
export function blurredMaskOp(
  labels: { location: string; level: number },
  output: { location: string },
  sigmaVoxels: number[],
): OpSpec {
  return mapOverlap({
    name: "simulate FM from EM mask",
    kernel: kernelRef(import.meta.url, "blurredMaskKernel"),
    inputs: [{ kind: "zarr", ...labels }],
    output: { kind: "zarr", location: output.location, level: 0 },
    haloVoxels: haloVoxels(sigmaVoxels),
    params: { sigma: sigmaVoxels },
  });
}
