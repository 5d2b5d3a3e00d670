/**
 * Compile embedded WebAssembly once per thread and hand out instances.
 * @module
 */

const compiled = new Map<string, WebAssembly.Module>();

/**
 * A new instance (own memory) of an embedded module, compiling it on first use in this thread.
 * @param base64 the module's bytes, base64 (from a generated `*_wasm.ts`)
 * @returns the instance
 */
export function instantiateEmbedded(base64: string): WebAssembly.Instance {
  let module = compiled.get(base64);
  if (!module) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    module = new WebAssembly.Module(bytes);
    compiled.set(base64, module);
  }
  return new WebAssembly.Instance(module, {});
}
