/**
 * Opening the pipeline's images and checking what registration needs: spatial
 * axes, positive voxel sizes, the FM channel; and choosing pyramid levels.
 * @module
 */
import { type OmeImage, openImage, spatialGridUm, spatialVoxelSizeUm } from "../io/image.ts";
import { OmeZarrError } from "../io/errors.ts";
import type { Config } from "../config/schema.ts";

/** A problem with the inputs, reported as one sentence (exit 2). */
export class InputError extends Error {
  /** @param message names the file, key or value and what was expected */
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The opened inputs. */
export interface PipelineInputs {
  fm: OmeImage;
  em: OmeImage;
  emLabels: OmeImage | undefined;
  /** Index of the FM channel used for registration. */
  fmChannel: number;
  /** Index of the channel axis of FM, or -1. */
  fmChannelAxis: number;
}

async function openChecked(location: string, role: string): Promise<OmeImage> {
  let image: OmeImage;
  try {
    image = await openImage(location);
  } catch (error) {
    if (error instanceof OmeZarrError) throw new InputError(`${role}: ${error.message}`);
    throw error;
  }
  const names = image.axes.map((a) => a.name.toLowerCase());
  for (const axis of ["z", "y", "x"]) {
    if (!names.includes(axis)) {
      throw new InputError(
        `${role}: ${location} has axes [${
          names.join(", ")
        }]; clemreg needs spatial axes z, y and x`,
      );
    }
  }
  const extra = image.axes.filter((a) => !["z", "y", "x"].includes(a.name.toLowerCase()));
  if (extra.some((a) => a.type !== "channel" && a.name.toLowerCase() !== "c")) {
    const bad = extra.find((a) => a.type !== "channel")!;
    const axis = image.axes.indexOf(bad);
    if ((image.levels[0]!.shape[axis] ?? 1) !== 1) {
      throw new InputError(
        `${role}: ${location} has a "${bad.name}" axis of length ${
          image.levels[0]!.shape[axis]
        }; clemreg registers one time point (z, y, x and channels)`,
      );
    }
  }
  try {
    for (let level = 0; level < image.levels.length; level++) spatialVoxelSizeUm(image, level);
  } catch (error) {
    if (error instanceof OmeZarrError) throw new InputError(`${role}: ${error.message}`);
    throw error;
  }
  return image;
}

/**
 * Open FM, EM and (if given) the EM labels, and resolve the FM channel.
 * @throws {InputError} naming the config key or file and the problem
 */
export async function openInputs(config: Config): Promise<PipelineInputs> {
  const fm = await openChecked(config.fm.path, "fm.path");
  const em = await openChecked(config.em.path, "em.path");
  const emLabels = config.em.labels ? await openChecked(config.em.labels, "em.labels") : undefined;
  const fmChannelAxis = fm.axes.findIndex((a) => a.type === "channel" || a.name === "c");
  const wanted = config.fm.channel;
  let fmChannel: number;
  if (typeof wanted === "number") {
    fmChannel = wanted;
    if (fmChannel >= fm.channelNames.length) {
      throw new InputError(
        `fm.channel: ${wanted} is out of range; ${config.fm.path} has ${fm.channelNames.length} channel(s) (${
          fm.channelNames.join(", ")
        })`,
      );
    }
  } else {
    fmChannel = fm.channelNames.indexOf(wanted);
    if (fmChannel < 0) {
      throw new InputError(
        `fm.channel: "${wanted}" is not a channel of ${config.fm.path}; it has ${
          fm.channelNames.map((n) => `"${n}"`).join(", ")
        }`,
      );
    }
  }
  if (emLabels) {
    const [a, b] = [spatialGridUm(em, 0), spatialGridUm(emLabels, 0)];
    const extentA = a.shape.map((n, i) => n * a.scale[i]!);
    const extentB = b.shape.map((n, i) => n * b.scale[i]!);
    if (
      extentA.some((e, i) => Math.abs(e - extentB[i]!) > Math.max(a.scale[i]!, b.scale[i]!) * 2)
    ) {
      throw new InputError(
        `em.labels: ${config.em.labels} covers [${
          extentB.map((e) => e.toFixed(2))
        }] µm but em.path covers [${
          extentA.map((e) => e.toFixed(2))
        }] µm; they must be the same volume`,
      );
    }
  }
  return { fm, em, emLabels, fmChannel, fmChannelAxis };
}

/**
 * The output level: the EM level whose lateral voxel size is nearest half the FM
 * lateral voxel size (or the configured level).
 */
export function outputLevel(inputs: PipelineInputs, configured: "auto" | number): number {
  if (configured !== "auto") {
    if (configured >= inputs.em.levels.length) {
      throw new InputError(
        `output.level: ${configured} does not exist; ${inputs.em.location} has levels 0-${
          inputs.em.levels.length - 1
        }`,
      );
    }
    return configured;
  }
  const fmLateral = spatialVoxelSizeUm(inputs.fm, 0)[2];
  return nearestLateralLevel(inputs.em, fmLateral / 2);
}

/** The level whose x voxel size is nearest `lateralUm` (log distance). */
export function nearestLateralLevel(image: OmeImage, lateralUm: number): number {
  let best = 0;
  for (let level = 1; level < image.levels.length; level++) {
    const distance = (l: number) => Math.abs(Math.log(spatialVoxelSizeUm(image, l)[2] / lateralUm));
    if (distance(level) < distance(best) - 1e-12) best = level;
  }
  return best;
}
