import assert from "node:assert/strict";
import { filterBySize, labelSizes, sizePercentileRange } from "../../src/filters/mod.ts";

Deno.test("labelSizes() counts voxels per label and accumulates chunk partials", () => {
  const sizes = labelSizes(Uint32Array.of(0, 2, 2, 1, 0, 0));
  assert.deepEqual(sizes, Float64Array.of(3, 1, 2));
  const total = new Float64Array(4);
  labelSizes(Uint32Array.of(3, 3, 0), { into: total });
  labelSizes(Uint32Array.of(1, 3), { into: total });
  assert.deepEqual(total, Float64Array.of(1, 1, 0, 3));
  assert.throws(() => labelSizes(Uint32Array.of(4), { into: total }), RangeError);
});

Deno.test("filterBySize() drops objects outside [min, max] and keeps their ids", () => {
  const labels = Uint32Array.of(1, 1, 1, 2, 3, 3, 0);
  assert.deepEqual(filterBySize(labels, { minVoxels: 2 }), Uint32Array.of(1, 1, 1, 0, 3, 3, 0));
  assert.deepEqual(
    filterBySize(labels, { minVoxels: 2, maxVoxels: 2 }),
    Uint32Array.of(0, 0, 0, 0, 3, 3, 0),
  );
  // Global sizes given for a chunk: label 2 is large elsewhere in the volume.
  const sizes = Float64Array.of(0, 3, 50, 2);
  assert.deepEqual(
    filterBySize(Uint32Array.of(2, 3), { sizes, minVoxels: 3 }),
    Uint32Array.of(2, 0),
  );
});

Deno.test("sizePercentileRange() matches numpy.percentile on object sizes, not label ids", () => {
  // numpy.percentile([5, 1, 9, 3, 20, 7], [5, 95]) = [1.5, 17.25]
  const sizes = Float64Array.of(1000, 5, 1, 9, 3, 20, 7, 0);
  const { minVoxels, maxVoxels } = sizePercentileRange(sizes);
  assert.ok(Math.abs(minVoxels - 1.5) < 1e-12);
  assert.ok(Math.abs(maxVoxels - 17.25) < 1e-12);
  assert.deepEqual(sizePercentileRange(new Float64Array(3)), { minVoxels: 0, maxVoxels: 0 });
  const middle = sizePercentileRange(sizes, { lowPercentile: 50, highPercentile: 50 });
  assert.equal(middle.minVoxels, 6);
});
