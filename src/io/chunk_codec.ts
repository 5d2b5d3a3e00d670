/**
 * Encoding of chunks clemreg writes: little-endian bytes, then zstd, gzip or nothing,
 * laid out as Zarr v2 or v3. Reading goes through zarrita, which decodes far more
 * (blosc, lz4, sharding, transpose); this is the write side, plus the chunk keys.
 * @module
 */
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { type Codec, Zstd } from "numcodecs";
import { bytesPerElement, toV2DataType } from "./dtype.ts";
import type { DataType, TypedArray } from "./types.ts";

const gzipAsync = promisify(zlib.gzip);
const deflateAsync = promisify(zlib.deflate);

/** Compressors clemreg can write. */
export type WriteCodec = "zstd" | "gzip" | "zlib" | "raw";

/** How an array's chunks are encoded and named. */
export interface ChunkLayout {
  zarrFormat: 2 | 3;
  shape: number[];
  chunks: number[];
  dtype: DataType;
  codec: WriteCodec;
  /** Compression level (zstd 1-22, gzip 1-9). */
  level: number;
  fillValue: number;
}

/** The key of a chunk relative to its array (`c/0/1/2` in v3, `0/1/2` in v2 with "/"). */
export function chunkKey(layout: ChunkLayout, chunkIndex: readonly number[]): string {
  const joined = chunkIndex.join("/");
  return layout.zarrFormat === 3 ? `c/${joined}` : joined;
}

/** The array metadata document (`zarr.json` or `.zarray`) and its file name. */
export function arrayMetadata(
  layout: ChunkLayout,
  dimensionNames: readonly string[],
): { file: string; document: Record<string, unknown> } {
  if (layout.zarrFormat === 3) {
    const codecs: Record<string, unknown>[] = [{
      name: "bytes",
      configuration: { endian: "little" },
    }];
    if (layout.codec === "zstd") {
      codecs.push({ name: "zstd", configuration: { level: layout.level, checksum: false } });
    } else if (layout.codec === "gzip") {
      codecs.push({ name: "gzip", configuration: { level: layout.level } });
    } else if (layout.codec === "zlib") {
      throw new RangeError('Cannot write codec "zlib" in Zarr v3: use "gzip" or "zstd"');
    }
    return {
      file: "zarr.json",
      document: {
        zarr_format: 3,
        node_type: "array",
        shape: layout.shape,
        data_type: layout.dtype,
        chunk_grid: { name: "regular", configuration: { chunk_shape: layout.chunks } },
        chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
        fill_value: layout.fillValue,
        codecs,
        dimension_names: dimensionNames,
        attributes: {},
      },
    };
  }
  const compressor = layout.codec === "raw"
    ? null
    : layout.codec === "zstd"
    ? { id: "zstd", level: layout.level }
    : { id: layout.codec, level: layout.level };
  return {
    file: ".zarray",
    document: {
      zarr_format: 2,
      shape: layout.shape,
      chunks: layout.chunks,
      dtype: toV2DataType(layout.dtype),
      compressor,
      fill_value: layout.fillValue,
      order: "C",
      filters: null,
      dimension_separator: "/",
    },
  };
}

/**
 * The layout of an existing array's metadata, when clemreg can write it; else `undefined`.
 */
export function writableLayout(document: Record<string, unknown>): ChunkLayout | undefined {
  const asNumbers = (value: unknown) =>
    Array.isArray(value) && value.every((v) => typeof v === "number")
      ? value as number[]
      : undefined;
  if (document.zarr_format === 3) {
    const grid = document.chunk_grid as { configuration?: { chunk_shape?: unknown } } | undefined;
    const keys = document.chunk_key_encoding as
      | { name?: string; configuration?: { separator?: string } }
      | undefined;
    const codecs = document.codecs as {
      name: string;
      configuration?: { level?: number; endian?: string };
    }[];
    const shape = asNumbers(document.shape);
    const chunks = asNumbers(grid?.configuration?.chunk_shape);
    if (!shape || !chunks || keys?.name !== "default") return undefined;
    if ((keys.configuration?.separator ?? "/") !== "/") return undefined;
    if (!Array.isArray(codecs) || codecs[0]?.name !== "bytes" || codecs.length > 2) {
      return undefined;
    }
    // clemreg encodes little-endian; a big-endian array is read through zarrita only
    const endian = codecs[0].configuration?.endian;
    if (endian !== undefined && endian !== "little") return undefined;
    const compressor = codecs[1];
    const codec = compressor === undefined ? "raw" : compressor.name;
    if (codec !== "raw" && codec !== "zstd" && codec !== "gzip") return undefined;
    return {
      zarrFormat: 3,
      shape,
      chunks,
      dtype: document.data_type as DataType,
      codec,
      level: compressor?.configuration?.level ?? 0,
      fillValue: Number(document.fill_value ?? 0),
    };
  }
  if (document.zarr_format === 2) {
    const shape = asNumbers(document.shape);
    const chunks = asNumbers(document.chunks);
    const compressor = document.compressor as { id: string; level?: number } | null;
    if (!shape || !chunks || document.order !== "C" || document.filters) return undefined;
    if (document.dimension_separator !== "/") return undefined;
    const codec = compressor === null ? "raw" : compressor.id;
    if (codec !== "raw" && codec !== "zstd" && codec !== "gzip" && codec !== "zlib") {
      return undefined;
    }
    const dtypeEntry = Object.entries({
      "|u1": "uint8",
      "|i1": "int8",
      "<u2": "uint16",
      "<i2": "int16",
      "<u4": "uint32",
      "<i4": "int32",
      "<f4": "float32",
      "<f8": "float64",
    }).find(([code]) => code === document.dtype);
    if (!dtypeEntry) return undefined;
    return {
      zarrFormat: 2,
      shape,
      chunks,
      dtype: dtypeEntry[1] as DataType,
      codec,
      level: compressor?.level ?? 0,
      fillValue: Number(document.fill_value ?? 0),
    };
  }
  return undefined;
}

const zstdByLevel = new Map<number, Codec>();

/**
 * Encode one full-size chunk (already padded to the chunk shape, C order).
 * @param layout the array's layout
 * @param data the chunk's values, little-endian platform assumed
 * @returns the bytes to store
 */
export async function encodeChunk(layout: ChunkLayout, data: TypedArray): Promise<Uint8Array> {
  const raw = new Uint8Array(
    data.buffer,
    data.byteOffset,
    data.length * bytesPerElement(layout.dtype),
  );
  switch (layout.codec) {
    case "raw":
      return raw;
    case "gzip":
      return new Uint8Array(await gzipAsync(raw, { level: layout.level || 5 }));
    case "zlib":
      return new Uint8Array(await deflateAsync(raw, { level: layout.level || 5 }));
    case "zstd": {
      let codec = zstdByLevel.get(layout.level);
      if (!codec) {
        codec = Zstd.fromConfig({ id: "zstd", level: layout.level || 3 });
        zstdByLevel.set(layout.level, codec);
      }
      return await codec.encode(raw);
    }
  }
}
