/**
 * Loads the scipy reference arrays written by `tests/fixtures/make_scipy_fixtures.py`.
 * @module
 */
import { gunzipSync } from "node:zlib";

const dir = new URL("../fixtures/scipy/", import.meta.url);

interface Entry {
  file: string;
  shape: number[];
  dtype: string;
  count?: number;
}

const manifest = JSON.parse(
  Deno.readTextFileSync(new URL("manifest.json", dir)),
) as { arrays: Record<string, Entry> };

/** Raw bytes and shape of one fixture array. */
function load(name: string): { bytes: Uint8Array; entry: Entry } {
  const entry = manifest.arrays[name];
  if (!entry) throw new Error(`No fixture named ${name}`);
  const bytes = new Uint8Array(gunzipSync(Deno.readFileSync(new URL(entry.file, dir))));
  return { bytes, entry };
}

/** A float32 fixture. */
export function loadFloat32(name: string): { data: Float32Array; shape: number[] } {
  const { bytes, entry } = load(name);
  return {
    data: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4),
    shape: entry.shape,
  };
}

/** A uint32 fixture (labels) with scipy's object count. */
export function loadUint32(name: string): { data: Uint32Array; shape: number[]; count: number } {
  const { bytes, entry } = load(name);
  return {
    data: new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4),
    shape: entry.shape,
    count: entry.count ?? 0,
  };
}

/** A uint8 fixture. */
export function loadUint8(name: string): { data: Uint8Array; shape: number[] } {
  const { bytes, entry } = load(name);
  return { data: bytes, shape: entry.shape };
}

/** The float input volume every scipy fixture was computed from: float32(u8) / 255. */
export function loadInput(): { data: Float32Array; shape: number[] } {
  const { data: raw, shape } = loadUint8("input_u8");
  const data = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) data[i] = raw[i]! / 255;
  return { data, shape };
}

/** Largest |a − b| / max|b| over the arrays (relative to the reference's scale). */
export function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  }
  return worst;
}
