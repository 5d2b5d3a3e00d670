/**
 * Data types: names, typed-array constructors, and their Zarr v2 / v3 spellings.
 * @module
 */
import type { DataType, TypedArray } from "./types.ts";

/** A constructor of one of the supported typed arrays. */
export type TypedArrayConstructor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const constructors: Record<DataType, TypedArrayConstructor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

const v2Codes: Record<DataType, string> = {
  uint8: "|u1",
  int8: "|i1",
  uint16: "<u2",
  int16: "<i2",
  uint32: "<u4",
  int32: "<i4",
  float32: "<f4",
  float64: "<f8",
};

/** All supported data types. */
export const dataTypes: readonly DataType[] = Object.keys(constructors) as DataType[];

/** Whether a string names a supported data type. */
export function isDataType(name: unknown): name is DataType {
  return typeof name === "string" && name in constructors;
}

/** The typed-array constructor of a data type. */
export function typedArrayFor(dtype: DataType): TypedArrayConstructor {
  return constructors[dtype];
}

/** Allocate a zeroed typed array of `length` elements. */
export function allocate(dtype: DataType, length: number): TypedArray {
  return new constructors[dtype](length);
}

/** The data type of a typed array. */
export function dataTypeOf(array: TypedArray): DataType {
  for (const [name, ctor] of Object.entries(constructors)) {
    if (array instanceof ctor) return name as DataType;
  }
  throw new TypeError("Cannot tell the data type: not a supported typed array");
}

/** The Zarr v2 dtype string (little-endian) of a data type. */
export function toV2DataType(dtype: DataType): string {
  return v2Codes[dtype];
}

/** The number of bytes of one element. */
export function bytesPerElement(dtype: DataType): number {
  return constructors[dtype].BYTES_PER_ELEMENT;
}
