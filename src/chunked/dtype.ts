/**
 * Typed-array constructors and element sizes per clemreg data type.
 * @module
 */
import type { DataType, TypedArray } from "../io/types.ts";

type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

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

/** Bytes per element of a data type. */
export function bytesPerElement(dtype: DataType): number {
  return constructors[dtype].BYTES_PER_ELEMENT;
}

/**
 * A typed array of a data type: a fresh zeroed one of `length` elements, or a view on a buffer.
 * @param dtype the element type
 * @param lengthOrBuffer element count, or a buffer to view (whole buffer)
 * @returns the typed array
 */
export function typedArrayOf(
  dtype: DataType,
  lengthOrBuffer: number | ArrayBufferLike,
): TypedArray {
  const Ctor = constructors[dtype];
  return typeof lengthOrBuffer === "number" ? new Ctor(lengthOrBuffer) : new Ctor(lengthOrBuffer);
}
