/**
 * Regenerate the embedded WebAssembly modules: `deno task build-wasm`. For each source in
 * `src/wasm/assemble.ts`, assembles the generated text with wabt and writes
 * `src/wasm/<name>_wasm.ts`. Commit the result; a test fails when it is stale.
 * @module
 */
import { fileURLToPath } from "node:url";
import { assembleWat, embeddedModuleSource, WASM_SOURCES } from "../src/wasm/assemble.ts";
import { runCli } from "./cli.ts";

await runCli(async () => {
  for (const { name, text } of WASM_SOURCES) {
    const binary = await assembleWat(name, text());
    const path = fileURLToPath(new URL(`../src/wasm/${name}_wasm.ts`, import.meta.url));
    await Deno.writeTextFile(path, embeddedModuleSource(name, binary));
    console.log(`wrote ${path} (${binary.length} bytes)`);
  }
});
