/**
 * `holdHeapTrim()` gives memory freed in the middle of a glibc arena back to the system: blocks
 * are malloc'ed and touched through FFI, all but the last are freed (the last one pins the top of
 * the arena, so free() alone returns nothing), and releasing the hold trims them away.
 */
import assert from "node:assert/strict";
import { heapTrimCount, holdHeapTrim } from "../../src/chunked/heap_trim.ts";

function residentBytes(): number {
  return Deno.memoryUsage().rss;
}

const glibc = Deno.build.os === "linux" && (() => {
  try {
    Deno.dlopen("libc.so.6", { malloc_trim: { parameters: ["usize"], result: "i32" } }).close();
    return true;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "holdHeapTrim() returns freed arena memory to the system when released, once it has grown",
  ignore: !glibc,
  fn() {
    const libc = Deno.dlopen("libc.so.6", {
      malloc: { parameters: ["usize"], result: "pointer" },
      free: { parameters: ["pointer"], result: "void" },
      memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
    });
    try {
      // A first check: the low point is now at most the current resident set.
      holdHeapTrim()();
      const blockBytes = 64 * 1024, count = 512; // 32 MiB, below the mmap threshold
      const blocks: Deno.PointerValue[] = [];
      for (let i = 0; i < count; i++) {
        const block = libc.symbols.malloc(BigInt(blockBytes));
        libc.symbols.memset(block, 1, BigInt(blockBytes));
        blocks.push(block);
      }
      for (const block of blocks.slice(0, -1)) libc.symbols.free(block);
      const before = residentBytes();
      const trims = heapTrimCount();
      const release = holdHeapTrim();
      release();
      const released = before - residentBytes();
      assert.equal(heapTrimCount(), trims + 1, "32 MiB of growth trims the heap");
      assert.ok(
        released >= 24 * 2 ** 20,
        `released ${(released / 2 ** 20).toFixed(1)} MiB of the ~32 MiB freed`,
      );
      libc.symbols.free(blocks.at(-1)!);
      holdHeapTrim()();
      assert.equal(heapTrimCount(), trims + 1, "a heap that has not grown is not trimmed again");
    } finally {
      libc.close();
    }
  },
});
