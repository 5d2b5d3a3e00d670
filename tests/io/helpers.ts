/**
 * Shared test helpers for the I/O tests: the shared data folder, the Python
 * reference, temp folders and value digests.
 * @module
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { TypedArray } from "../../src/io/types.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The shared data folder (`CLEMREG_DATA` or `../shared/data`), or undefined when absent. */
export function sharedData(): string | undefined {
  const folder = Deno.env.get("CLEMREG_DATA") ?? path.join(repoRoot, "../shared/data");
  try {
    Deno.statSync(folder);
    return folder;
  } catch {
    return undefined;
  }
}

let pythonZarr: boolean | undefined;

/** Whether `/usr/bin/python3` with zarr and numcodecs is available. */
export function hasPythonZarr(): boolean {
  if (pythonZarr === undefined) {
    try {
      const { code } = new Deno.Command("/usr/bin/python3", {
        args: ["-c", "import zarr, numcodecs"],
        stdout: "null",
        stderr: "null",
      }).outputSync();
      pythonZarr = code === 0;
    } catch {
      pythonZarr = false;
    }
  }
  return pythonZarr;
}

/** Digests of arrays as read by zarr-python (v2) or numcodecs (v3), keyed by path. */
export async function pythonDigests(
  arrayPaths: string[],
): Promise<Map<string, { shape: number[]; dtype: string; sha256: string }>> {
  const script = path.join(repoRoot, "tests/fixtures/zarr_python_digest.py");
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: [script, ...arrayPaths],
  }).output();
  if (code !== 0) {
    throw new Error(`zarr_python_digest.py failed: ${new TextDecoder().decode(stderr)}`);
  }
  const result = new Map();
  for (const line of new TextDecoder().decode(stdout).trim().split("\n")) {
    const entry = JSON.parse(line);
    result.set(entry.path, entry);
  }
  return result;
}

/** SHA-256 of a typed array's bytes (little-endian platform). */
export function digestOf(values: TypedArray): string {
  return createHash("sha256")
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest("hex");
}

/** A fresh temporary folder, removed by the returned function. */
export async function tempFolder(): Promise<
  { folder: string; [Symbol.asyncDispose](): Promise<void> }
> {
  const folder = await Deno.makeTempDir({ prefix: "clemreg-test-" });
  return {
    folder,
    async [Symbol.asyncDispose]() {
      await Deno.remove(folder, { recursive: true });
    },
  };
}
