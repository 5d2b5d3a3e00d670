import { assert_, assertEquals } from "../chunked/assert.ts";
import { buffersIn, releaseBuffers, releaseBuffersIn } from "../../src/io/release.ts";

Deno.test("releaseBuffersIn() frees the buffers inside a value except the kept ones", () => {
  const kept = new Float64Array([1, 2, 3]);
  const value = { a: new Uint32Array(8), list: [new Uint8Array(4), kept], n: 3 };
  const shared = new Uint8Array(new SharedArrayBuffer(4));
  assertEquals(buffersIn(value).size, 3);
  releaseBuffersIn({ ...value, shared }, new Set([kept.buffer]));
  assert_(value.a.buffer.detached && value.list[0]!.buffer.detached, "freed");
  assertEquals(value.a.length, 0);
  assertEquals([...kept], [1, 2, 3]);
  assertEquals(shared.length, 4); // shared memory is never detached
});

Deno.test("releaseBuffers() skips buffers already freed", () => {
  const data = new Float32Array(16);
  releaseBuffers([data, data.subarray(4)]);
  assert_(data.buffer.detached, "freed once");
  releaseBuffers([data]); // no throw on a detached buffer
});
