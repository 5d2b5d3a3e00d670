/**
 * The generated volume the distributed tests run on (32×64×64 float32 in 8×16×16 chunks:
 * 64 chunks), the DoG op over it, and helpers to run children and compare chunk files.
 * @module
 */
import { join, relative } from "node:path";
import { filterOp } from "../../src/chunked/filter_ops.ts";
import type { OpSpec } from "../../src/chunked/types.ts";
import { createImage, type ImageSpec, writeImage } from "../../src/io/writer.ts";

/** Level-0 shape of the test volume. */
export const fixtureShape = [32, 64, 64];
const spec: ImageSpec = {
  axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" })),
  shape: fixtureShape,
  chunks: [8, 16, 16],
  dtype: "float32",
  scale: [0.05, 0.02, 0.02],
  levels: 1,
};

/** Write the seeded input (once) at `WORKDIR/input.zarr`; returns its path. */
export async function writeFixtureInput(workDir: string): Promise<string> {
  const path = join(workDir, "input.zarr");
  try {
    await Deno.stat(path);
    return path;
  } catch {
    // not there yet
  }
  const voxels = new Float32Array(fixtureShape.reduce((a, b) => a * b, 1));
  let state = 12345;
  for (let i = 0; i < voxels.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    voxels[i] = state % 100;
  }
  await writeImage(path, voxels, spec);
  return path;
}

/** Create an empty float32 output image like the input (once); returns its path. */
export async function createFixtureOutput(workDir: string, name: string): Promise<string> {
  const path = join(workDir, name);
  try {
    await Deno.stat(path);
  } catch {
    await createImage(path, spec);
  }
  return path;
}

/** The DoG op from input to output; `delayMs` > 0 uses the slow test kernel (same output). */
export function fixtureOp(input: string, output: string, delayMs = 0): OpSpec {
  const op = filterOp("dog", {
    input: { kind: "zarr", location: input, level: 0 },
    output: { kind: "zarr", location: output, level: 0 },
  }, { sigmaLow: 1, sigmaHigh: 1.6 });
  if (delayMs <= 0) return op;
  return {
    ...op,
    kernel: {
      module: new URL("./kernels.ts", import.meta.url).href,
      name: "slowDifferenceOfGaussians",
    },
    params: { ...(op.params as Record<string, number>), delayMs },
  };
}

/** Every file under an image folder (journal excluded), relative path → bytes. */
export async function chunkFiles(root: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(".clemreg")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else files.set(relative(root, path), await Deno.readFile(path));
    }
  };
  await walk(root);
  return files;
}

/** Lines a child writes to a stream, collected as they come. */
export function collectLines(stream: ReadableStream<Uint8Array>): string[] {
  const lines: string[] = [];
  (async () => {
    let pending = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      pending += text;
      const parts = pending.split("\n");
      pending = parts.pop()!;
      lines.push(...parts);
    }
    if (pending) lines.push(pending);
  })().catch(() => {});
  return lines;
}

/** Wait until `condition()` holds, checking every 25 ms; throws after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Race a promise against a deadline. */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took more than ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const workerScript = new URL("../../tasks/worker.ts", import.meta.url).pathname;
/** The repository root, where children run (so they find deno.json). */
export const repoRoot = new URL("../../", import.meta.url).pathname;

/** Spawn `tasks/worker.ts` with this Deno binary; stderr lines are collected. */
export function spawnWorker(url: string, extra: string[] = []): {
  child: Deno.ChildProcess;
  lines: string[];
} {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", workerScript, "--queue", url, "--lock-ms", "2000", "--verbose", ...extra],
    cwd: repoRoot,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  return { child, lines: collectLines(child.stderr) };
}

/** Kill a child if it still runs, and wait for it. */
export async function killChild(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch {
    // already exited
  }
  await child.status;
}
