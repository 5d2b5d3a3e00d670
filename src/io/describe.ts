/**
 * A plain, JSON-ready description of an opened image, as `deno task info` prints it.
 * @module
 */
import type { OmeImage } from "./image.ts";

/** One level as described. */
export interface LevelDescription {
  path: string;
  shape: number[];
  chunks: number[];
  dtype: string;
  voxelSize: Record<string, { value: number; unit: string | null }>;
  translation: Record<string, { value: number; unit: string | null }>;
}

/**
 * Describe an image for people and scripts.
 * @param image an opened image
 * @returns version, axes, channel names and levels
 */
export function describeImage(image: OmeImage): {
  location: string;
  ngffVersion: string;
  name: string | null;
  axes: { name: string; type: string | null; unit: string | null }[];
  channelNames: string[];
  levels: LevelDescription[];
} {
  const perAxis = (values: number[]) =>
    Object.fromEntries(
      image.axes.map((axis, i) => [axis.name, { value: values[i] ?? 0, unit: axis.unit ?? null }]),
    );
  return {
    location: image.location,
    ngffVersion: image.version,
    name: image.name ?? null,
    axes: image.axes.map((a) => ({ name: a.name, type: a.type ?? null, unit: a.unit ?? null })),
    channelNames: image.channelNames,
    levels: image.levels.map((level) => ({
      path: level.path,
      shape: level.shape,
      chunks: level.chunks,
      dtype: level.storedDtype,
      voxelSize: perAxis(level.scale),
      translation: perAxis(level.translation),
    })),
  };
}
