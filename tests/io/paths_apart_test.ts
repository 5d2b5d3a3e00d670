import assert from "node:assert/strict";
import { overlapOf } from "../../src/io/paths_apart.ts";

const out = (path: string) => [{ label: "OUT", path }];
const input = (path: string) => [{ label: "IN", path }];

Deno.test("overlapOf() refuses an output that is, holds or lies inside an input", () => {
  assert.match(overlapOf(out("data/a.zarr"), input("data/a.zarr/"))!, /OUT data\/a\.zarr is IN/);
  assert.match(
    overlapOf(out("./data/../data/a.zarr"), input(`${Deno.cwd()}/data/a.zarr`))!,
    /is IN: writing it would overwrite the input/,
  );
  assert.match(overlapOf(out("data"), input("data/a.zarr"))!, /OUT data holds IN data\/a\.zarr/);
  assert.match(overlapOf(out("a.zarr/0/b.zarr"), input("a.zarr"))!, /lies inside IN a\.zarr/);
  assert.match(overlapOf(out("s3://bucket/a.zarr/"), input("s3://bucket/a.zarr"))!, /is IN/);
});

Deno.test("overlapOf() lets siblings, look-alike names and the input's labels/ group be", () => {
  assert.equal(overlapOf(out("a.zarr.work"), input("a.zarr")), null);
  assert.equal(overlapOf(out("a.zarr2"), input("a.zarr")), null);
  assert.equal(overlapOf(out("b.zarr"), input("a.zarr")), null);
  assert.equal(overlapOf(out("a.zarr/labels/mito"), input("a.zarr")), null);
  assert.equal(overlapOf(out("s3://bucket/b.zarr"), input("s3://bucket/a.zarr")), null);
  // Every write is checked against every read.
  assert.match(
    overlapOf([...out("b.zarr"), { label: "WORK", path: "a.zarr" }], [
      ...input("c"),
      ...input("a.zarr"),
    ])!,
    /^WORK a\.zarr is IN/,
  );
});
