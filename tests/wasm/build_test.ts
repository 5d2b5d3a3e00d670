import assert from "node:assert/strict";
import { assembleWat, embeddedModuleSource, WASM_SOURCES } from "../../src/wasm/assemble.ts";

Deno.test("the committed *_wasm.ts modules are the assembly of their current sources", async () => {
  for (const { name, text } of WASM_SOURCES) {
    const binary = await assembleWat(name, text());
    const committed = await Deno.readTextFile(
      new URL(`../../src/wasm/${name}_wasm.ts`, import.meta.url),
    );
    assert.equal(
      committed,
      embeddedModuleSource(name, binary),
      `src/wasm/${name}_wasm.ts is stale: run \`deno task build-wasm\``,
    );
  }
});
