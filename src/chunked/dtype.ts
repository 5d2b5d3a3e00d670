/**
 * Typed arrays by data type, as views on existing buffers too (shared volumes, raw files);
 * builds on the I/O layer's constructor table.
 * @module
 */
import { bytesPerElement, typedArrayFor } from "../io/dtype.ts";
import type { DataType, TypedArray } from "../io/types.ts";

export { bytesPerElement };

type AnyTypedArrayConstructor = new (
  lengthOrBuffer: number | ArrayBufferLike,
) => TypedArray;

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
  const Ctor = typedArrayFor(dtype) as unknown as AnyTypedArrayConstructor;
  return new Ctor(lengthOrBuffer);
}
