/**
 * Small RGB pictures for the QC report: grey images with colour overlays, scatter
 * projections of point clouds, and PNG encoding (fast-png).
 * @module
 */
import { encode } from "fast-png";

/** An RGB picture, row-major, 3 bytes per pixel. */
export interface Picture {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Percentile-based display range of finite values (ignores exact zeros when asked). */
export function displayRange(
  values: ArrayLike<number>,
  lowPercent = 1,
  highPercent = 99.5,
): [number, number] {
  const sample: number[] = [];
  const step = Math.max(1, Math.floor(values.length / 200000));
  for (let i = 0; i < values.length; i += step) {
    const v = values[i]!;
    if (Number.isFinite(v)) sample.push(v);
  }
  if (sample.length === 0) return [0, 1];
  sample.sort((a, b) => a - b);
  const at = (p: number) =>
    sample[Math.min(sample.length - 1, Math.floor((p / 100) * sample.length))]!;
  const low = at(lowPercent);
  const high = at(highPercent);
  return high > low ? [low, high] : [low, low + 1];
}

/**
 * A grey plane with up to two colour channels added (green and magenta), each scaled
 * to its display range.
 * @param grey plane values (row-major, width × height)
 * @param overlays `{ values, colour: [r,g,b] in 0..1 }` planes of the same size
 */
export function composite(
  width: number,
  height: number,
  grey: ArrayLike<number> | undefined,
  overlays: {
    values: ArrayLike<number>;
    colour: [number, number, number];
    range?: [number, number];
  }[],
): Picture {
  const rgb = new Uint8Array(width * height * 3);
  if (grey) {
    const [low, high] = displayRange(grey);
    for (let i = 0; i < width * height; i++) {
      const v = Math.max(0, Math.min(1, (grey[i]! - low) / (high - low))) * 200;
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v;
    }
  }
  for (const overlay of overlays) {
    const [low, high] = overlay.range ?? displayRange(overlay.values);
    for (let i = 0; i < width * height; i++) {
      const v = Math.max(0, Math.min(1, (overlay.values[i]! - low) / (high - low))) * 255;
      for (let c = 0; c < 3; c++) {
        rgb[3 * i + c] = Math.min(255, rgb[3 * i + c]! + v * overlay.colour[c]!);
      }
    }
  }
  return { width, height, rgb };
}

/**
 * Scatter two projections of point sets into one picture.
 * @param sets points as [a, b] pairs per set, with a colour each
 * @param size picture size in pixels (square)
 */
export function scatter(
  sets: { points: [number, number][]; colour: [number, number, number] }[],
  size = 360,
): Picture {
  const rgb = new Uint8Array(size * size * 3).fill(255);
  let [minA, maxA, minB, maxB] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const set of sets) {
    for (const [a, b] of set.points) {
      minA = Math.min(minA, a);
      maxA = Math.max(maxA, a);
      minB = Math.min(minB, b);
      maxB = Math.max(maxB, b);
    }
  }
  const span = Math.max(maxA - minA, maxB - minB, 1e-9);
  const margin = 8;
  const scale = (size - 2 * margin) / span;
  for (const set of sets) {
    for (const [a, b] of set.points) {
      const row = Math.round(margin + (a - minA) * scale);
      const col = Math.round(margin + (b - minB) * scale);
      if (row < 0 || row >= size || col < 0 || col >= size) continue;
      const p = 3 * (row * size + col);
      for (let c = 0; c < 3; c++) rgb[p + c] = Math.round(set.colour[c]! * 255);
    }
  }
  return { width: size, height: size, rgb };
}

/** Encode a picture as PNG bytes. */
export function toPng(picture: Picture): Uint8Array {
  return encode({
    width: picture.width,
    height: picture.height,
    data: picture.rgb,
    channels: 3,
    depth: 8,
  });
}
