import { join } from "node:path";
import { assert_, assertEquals } from "./assert.ts";
import { testKernel } from "./helpers.ts";
import { decodePartial, encodePartial, openJournal } from "../../src/chunked/journal.ts";
import { defaultJournalDir } from "../../src/chunked/journal_dir.ts";
import { map, opId } from "../../src/chunked/ops.ts";
import type { ArrayLocation } from "../../src/chunked/types.ts";

Deno.test("openJournal() keeps partials across reopen and ignores a torn last line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clemreg-journal-" });
  try {
    const journal = await openJournal(dir, "op1", { note: "test" });
    await journal.record(0, [0, 0], { sum: 3, histogram: new Float64Array([1, 2]) });
    await journal.record(2, [0, 2], undefined);
    await journal.close();
    await Deno.writeTextFile(join(dir, "op1.jsonl"), '{"c":5,"i":[1', { append: true });
    const reopened = await openJournal(dir, "op1");
    assertEquals([...reopened.done.keys()].sort(), [0, 2]);
    const partial = reopened.done.get(0) as { sum: number; histogram: Float64Array };
    assertEquals(partial.sum, 3);
    assert_(partial.histogram instanceof Float64Array);
    assertEquals([...partial.histogram], [1, 2]);
    await reopened.record(5, [1, 1], 7);
    await reopened.close();
    const third = await openJournal(dir, "op1");
    assertEquals([...third.done.keys()].sort(), [0, 2, 5]);
    assertEquals(third.done.get(5), 7);
    await third.close();
    assert_((await Deno.readTextFile(join(dir, "op1.op.json"))).includes("test"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("encodePartial() round-trips every typed array type and nested values", () => {
  const value = {
    a: [new Uint8Array([1, 255]), new Int16Array([-3]), new Uint32Array([2 ** 32 - 1])],
    b: { c: new Float32Array([0.5]), d: "x", e: null },
  };
  const back = decodePartial(JSON.parse(JSON.stringify(encodePartial(value)))) as typeof value;
  assertEquals(back, value);
});

Deno.test("opId() changes when params, inputs or kernel change", () => {
  const input: ArrayLocation = { kind: "zarr", location: "/data/in.zarr", level: 0 };
  const output: ArrayLocation = { kind: "zarr", location: "/data/out.zarr", level: 0 };
  const op = map({
    name: "a",
    kernel: testKernel("subtract"),
    inputs: [input],
    output,
    params: { offset: 1 },
  });
  const same = map({
    name: "b",
    kernel: testKernel("subtract"),
    inputs: [input],
    output,
    params: { offset: 1 },
  });
  assertEquals(opId(op), opId(same));
  assert_(opId(op) !== opId({ ...op, params: { offset: 2 } }));
  assert_(opId(op) !== opId({ ...op, inputs: [{ ...input, level: 1 }] }));
  assert_(opId(op) !== opId({ ...op, kernel: testKernel("boxSum") }));
  assert_(opId(op) !== opId(op, ["upstream"]));
});

Deno.test("defaultJournalDir() sits beside a local OME-Zarr output only", () => {
  assertEquals(
    defaultJournalDir({ kind: "zarr", location: "/tmp/out.zarr", level: 0 }),
    "/tmp/out.zarr/.clemreg-journal",
  );
  assertEquals(
    defaultJournalDir({ kind: "zarr", location: "file:///tmp/out.zarr", level: 0 }),
    "/tmp/out.zarr/.clemreg-journal",
  );
  assertEquals(
    defaultJournalDir({ kind: "zarr", location: "s3://bucket/out.zarr", level: 0 }),
    undefined,
  );
  assertEquals(defaultJournalDir(undefined), undefined);
});
