/**
 * The last pass of chunked connected components: map every label through a lookup table (from
 * `UnionFind.lookupTable()`), so touching per-chunk labels become one global label.
 * @module
 */

/**
 * Replace each label `l` by `table[l]` (0 stays 0).
 * @param labels labels of a chunk or volume
 * @param table lookup table indexed by label
 * @param options out: output array (may be `labels` itself); allocated when absent
 * @returns the relabelled array
 * @throws {RangeError} when a label is beyond the table
 * @example
 * ```ts
 * relabel(Uint32Array.of(0, 3, 5), Uint32Array.of(0, 1, 1, 1, 2, 2)); // [0, 1, 2]
 * ```
 */
export function relabel(
  labels: Uint32Array,
  table: Uint32Array,
  options: { out?: Uint32Array } = {},
): Uint32Array {
  const out = options.out ?? new Uint32Array(labels.length);
  if (out.length !== labels.length) {
    throw new RangeError(`Cannot relabel: out has ${out.length} voxels, labels ${labels.length}`);
  }
  const size = table.length;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label === 0) {
      out[i] = 0;
      continue;
    }
    if (label >= size) {
      throw new RangeError(`Cannot relabel: label ${label} is beyond the table (${size} entries)`);
    }
    out[i] = table[label]!;
  }
  return out;
}
